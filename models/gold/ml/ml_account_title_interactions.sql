{#-
    Implicit feedback for recommender training: one row per account and
    title the account watched, rated or put on a watchlist (any of its
    profiles). Formulas in the `ml_interaction_*` doc blocks. A thumbs down
    is a strong signal too: it raises the confidence, and its sign is in
    `thumb_value` for the trainer to read as a negative preference.
-#}
{%- set confidence_hours_cap = 10 -%}

with

sessions as (
    select
        account_id,
        title_id,
        count(*) as session_count,
        sum(watch_hours) as watch_hours,
        max(completion_ratio) as max_completion_ratio,
        max(ended_at) as last_watched_at
    from {{ ref('fct_playback_sessions') }}
    group by
        account_id,
        title_id
),

ranked_ratings as (
    select
        account_id,
        title_id,
        rated_at,
        case thumb
            when 'down' then -1
            when 'up' then 1
            when 'double_up' then 2
        end as thumb_value,
        row_number() over (partition by account_id, title_id order by rated_at desc, rating_id desc) as recency_rank
    from {{ ref('ratings') }}
),

latest_ratings as (
    select * from ranked_ratings
    where recency_rank = 1
),

watchlisted as (
    select
        account_id,
        title_id,
        max(added_at) as last_added_at
    from {{ ref('watchlist_adds') }}
    group by
        account_id,
        title_id
),

interactions as (
    select
        account_id,
        title_id,
        last_watched_at as interacted_at
    from sessions
    union all
    select
        account_id,
        title_id,
        rated_at as interacted_at
    from latest_ratings
    union all
    select
        account_id,
        title_id,
        last_added_at as interacted_at
    from watchlisted
),

pairs as (
    select
        account_id,
        title_id,
        max(interacted_at) as last_interaction_at
    from interactions
    group by
        account_id,
        title_id
),

signals as (
    select
        pairs.account_id,
        pairs.title_id,
        sessions.max_completion_ratio,
        latest_ratings.thumb_value,
        pairs.last_interaction_at,
        coalesce(sessions.session_count, 0) as session_count,
        coalesce(sessions.watch_hours, 0) as watch_hours,
        case when watchlisted.account_id is not null then 1 else 0 end as is_watchlisted
    from pairs
    left join sessions on pairs.account_id = sessions.account_id and pairs.title_id = sessions.title_id
    left join latest_ratings
        on pairs.account_id = latest_ratings.account_id and pairs.title_id = latest_ratings.title_id
    left join watchlisted on pairs.account_id = watchlisted.account_id and pairs.title_id = watchlisted.title_id
),

final as (
    select
        cast(account_id as varchar(16)) as account_id,
        cast(title_id as varchar(16)) as title_id,
        cast(session_count as bigint) as session_count,
        cast(watch_hours as decimal(18, 4)) as watch_hours,
        cast(max_completion_ratio as decimal(9, 6)) as max_completion_ratio,
        cast(thumb_value as int) as thumb_value,
        cast(is_watchlisted as int) as is_watchlisted,
        cast(last_interaction_at as {{ dbt.type_timestamp() }}) as last_interaction_at,
        cast(
            1
            + case when watch_hours > {{ confidence_hours_cap }} then {{ confidence_hours_cap }} else watch_hours end
            + 2 * coalesce(max_completion_ratio, 0)
            + is_watchlisted
            + 2 * abs(coalesce(thumb_value, 0))
            as decimal(18, 6)
        ) as confidence_weight
    from signals
)

select * from final
