{#-
    Re-derives two segments straight from Silver, with the documented
    thresholds (`marketing_segment_rules`), and compares membership both
    ways: `engaged` (4+ distinct UTC days with a session in the 28 days up
    to the as-of date) and `win_back` (latest subscription period ended in a
    cancel 0..90 days before the as-of date, none open since). The as-of
    date is recomputed too: the last UTC date with a subscription event or
    a session. Returns accounts in one side only.
-#}
with

as_of as (
    select max(observed_date) as as_of_date
    from (
        select cast(event_ts as date) as observed_date from {{ ref('subscription_events') }}
        union all
        select session_date as observed_date from {{ ref('playback_sessions') }}
    ) as observed_dates
),

engaged_by_silver as (
    select playback_sessions.account_id
    from {{ ref('playback_sessions') }} as playback_sessions
    cross join as_of
    where
        playback_sessions.session_date <= as_of.as_of_date
        and playback_sessions.session_date > {{ dbt.dateadd('day', -28, 'as_of.as_of_date') }}
    group by playback_sessions.account_id
    having count(distinct playback_sessions.session_date) >= 4
),

latest_periods as (
    select
        account_id,
        end_reason,
        period_end_at,
        row_number() over (partition by account_id order by period_number desc) as recency_rank
    from {{ ref('subscriptions') }}
),

win_back_by_silver as (
    select latest_periods.account_id
    from latest_periods
    cross join as_of
    where
        latest_periods.recency_rank = 1
        and latest_periods.end_reason = 'cancel'
        and cast(latest_periods.period_end_at as date) <= as_of.as_of_date
        and cast(latest_periods.period_end_at as date) >= {{ dbt.dateadd('day', -90, 'as_of.as_of_date') }}
),

expected as (
    select
        account_id,
        'engaged' as segment_name
    from engaged_by_silver
    union all
    select
        account_id,
        'win_back' as segment_name
    from win_back_by_silver
),

actual as (
    select
        account_id,
        segment_name
    from {{ ref('mart_marketing_segments') }}
    where segment_name in ('engaged', 'win_back')
)

select
    coalesce(expected.account_id, actual.account_id) as account_id,
    coalesce(expected.segment_name, actual.segment_name) as segment_name,
    case when actual.account_id is null then 'missing from the mart' else 'not in the rule' end as problem
from expected
full outer join actual
    on
        expected.account_id = actual.account_id
        and expected.segment_name = actual.segment_name
where expected.account_id is null or actual.account_id is null
