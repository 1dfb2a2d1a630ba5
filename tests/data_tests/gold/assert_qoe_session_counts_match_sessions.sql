{#-
    The QoE mart accounts for every session: per UTC day, its sessions,
    failed sessions, exits before video start, video start failures and the
    summed playing and rebuffering milliseconds equal those of
    fct_playback_sessions. Returns one row per day out of balance.
-#}
with

mart_days as (
    select
        activity_date,
        sum(sessions) as sessions,
        sum(failed_sessions) as failed_sessions,
        sum(exits_before_video_start) as exits_before_video_start,
        sum(video_start_failures) as video_start_failures,
        sum(video_started_sessions) as video_started_sessions,
        sum(rebuffer_time_ms) as rebuffer_time_ms,
        sum(watch_time_ms) as watch_time_ms
    from {{ ref('mart_qoe_daily') }}
    group by activity_date
),

session_days as (
    select
        session_date as activity_date,
        count(*) as sessions,
        sum(has_error) as failed_sessions,
        sum(is_exit_before_video_start) as exits_before_video_start,
        sum(is_video_start_failure) as video_start_failures,
        count(video_start_time_ms) as video_started_sessions,
        sum(rebuffer_time_ms) as rebuffer_time_ms,
        sum(watch_time_ms) as watch_time_ms
    from {{ ref('fct_playback_sessions') }}
    group by session_date
),

compared as (
    select
        mart_days.sessions as mart_sessions,
        session_days.sessions as session_sessions,
        mart_days.failed_sessions as mart_failed_sessions,
        session_days.failed_sessions as session_failed_sessions,
        mart_days.exits_before_video_start as mart_exits_before_video_start,
        session_days.exits_before_video_start as session_exits_before_video_start,
        mart_days.video_start_failures as mart_video_start_failures,
        session_days.video_start_failures as session_video_start_failures,
        mart_days.video_started_sessions as mart_video_started_sessions,
        session_days.video_started_sessions as session_video_started_sessions,
        mart_days.rebuffer_time_ms as mart_rebuffer_time_ms,
        session_days.rebuffer_time_ms as session_rebuffer_time_ms,
        mart_days.watch_time_ms as mart_watch_time_ms,
        session_days.watch_time_ms as session_watch_time_ms,
        coalesce(mart_days.activity_date, session_days.activity_date) as activity_date
    from mart_days
    full outer join session_days on mart_days.activity_date = session_days.activity_date
)

select * from compared
where
    mart_sessions is null
    or session_sessions is null
    or mart_sessions <> session_sessions
    or mart_failed_sessions <> session_failed_sessions
    or mart_exits_before_video_start <> session_exits_before_video_start
    or mart_video_start_failures <> session_video_start_failures
    or mart_video_started_sessions <> session_video_started_sessions
    or mart_rebuffer_time_ms <> session_rebuffer_time_ms
    or mart_watch_time_ms <> session_watch_time_ms
