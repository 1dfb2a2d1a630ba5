{#-
    The interaction matrix loses and invents no viewing: per account and
    title, its session count and watch hours equal those of
    fct_playback_sessions, and a pair without sessions has none. Returns the
    pairs that disagree.
-#}
with

session_totals as (
    select
        account_id,
        title_id,
        count(*) as session_count,
        sum(watch_hours) as watch_hours
    from {{ ref('fct_playback_sessions') }}
    group by
        account_id,
        title_id
),

interactions as (
    select
        account_id,
        title_id,
        session_count,
        watch_hours
    from {{ ref('ml_account_title_interactions') }}
)

select
    interactions.watch_hours as interaction_watch_hours,
    session_totals.watch_hours as session_watch_hours,
    coalesce(interactions.account_id, session_totals.account_id) as account_id,
    coalesce(interactions.title_id, session_totals.title_id) as title_id
from interactions
full outer join session_totals
    on
        interactions.account_id = session_totals.account_id
        and interactions.title_id = session_totals.title_id
where
    interactions.account_id is null
    or interactions.session_count <> coalesce(session_totals.session_count, 0)
    or interactions.watch_hours <> coalesce(session_totals.watch_hours, 0)
