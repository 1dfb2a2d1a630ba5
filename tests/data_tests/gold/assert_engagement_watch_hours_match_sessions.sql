{#-
    Daily engagement adds up to the sessions it is built from: for every UTC
    day, the watch hours and sessions summed over mart_daily_engagement equal
    those of fct_playback_sessions. A day present on one side only fails too.
    Returns one row per day out of balance.
-#}
with

mart_days as (
    select
        activity_date,
        sum(watch_hours) as watch_hours,
        sum(sessions) as sessions
    from {{ ref('mart_daily_engagement') }}
    group by activity_date
),

session_days as (
    select
        session_date as activity_date,
        sum(watch_hours) as watch_hours,
        count(*) as sessions
    from {{ ref('fct_playback_sessions') }}
    group by session_date
),

compared as (
    select
        mart_days.watch_hours as mart_watch_hours,
        session_days.watch_hours as session_watch_hours,
        mart_days.sessions as mart_sessions,
        session_days.sessions as session_sessions,
        coalesce(mart_days.activity_date, session_days.activity_date) as activity_date
    from mart_days
    full outer join session_days on mart_days.activity_date = session_days.activity_date
)

select * from compared
where
    mart_watch_hours is null
    or session_watch_hours is null
    or mart_watch_hours <> session_watch_hours
    or mart_sessions <> session_sessions
