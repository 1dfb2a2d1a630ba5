{#-
    Title performance hours come from the sessions: for every title and UTC
    day (daily mart) and every title and ISO week (weekly mart), hours viewed
    and sessions equal those of fct_playback_sessions. Title-periods with
    sessions must have a row; rows without sessions (mentions only) must show
    0. Returns one row per title-period out of balance.
-#}
with

session_days as (
    select
        title_id,
        session_date as period_start,
        sum(watch_hours) as hours_viewed,
        count(*) as sessions
    from {{ ref('fct_playback_sessions') }}
    group by
        title_id,
        session_date
),

session_weeks as (
    select
        title_id,
        {{ week_start('session_date') }} as period_start,
        sum(watch_hours) as hours_viewed,
        count(*) as sessions
    from {{ ref('fct_playback_sessions') }}
    group by
        title_id,
        {{ week_start('session_date') }}
),

daily_compared as (
    select
        'daily' as mart_grain,
        coalesce(mart.title_id, session_days.title_id) as title_id,
        coalesce(mart.activity_date, session_days.period_start) as period_start,
        mart.hours_viewed as mart_hours_viewed,
        coalesce(session_days.hours_viewed, 0) as session_hours_viewed,
        mart.sessions as mart_sessions,
        coalesce(session_days.sessions, 0) as session_sessions
    from {{ ref('mart_title_performance_daily') }} as mart
    full outer join session_days
        on mart.title_id = session_days.title_id and mart.activity_date = session_days.period_start
),

weekly_compared as (
    select
        'weekly' as mart_grain,
        coalesce(mart.title_id, session_weeks.title_id) as title_id,
        coalesce(mart.activity_week, session_weeks.period_start) as period_start,
        mart.hours_viewed as mart_hours_viewed,
        coalesce(session_weeks.hours_viewed, 0) as session_hours_viewed,
        mart.sessions as mart_sessions,
        coalesce(session_weeks.sessions, 0) as session_sessions
    from {{ ref('mart_title_performance_weekly') }} as mart
    full outer join session_weeks
        on mart.title_id = session_weeks.title_id and mart.activity_week = session_weeks.period_start
),

compared as (
    select * from daily_compared
    union all
    select * from weekly_compared
)

select * from compared
where
    mart_hours_viewed is null
    or mart_hours_viewed <> session_hours_viewed
    or mart_sessions <> session_sessions
