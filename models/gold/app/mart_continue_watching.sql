{#-
    The app's "continue watching" row: per profile, the titles it left
    unfinished, newest first (rule in the `continue_watching_selection` doc
    block). Only sessions that played count, so a failed or abandoned start
    never moves a resume point; the latest such session per profile and title
    decides, so a title finished later drops out. Rebuilt whole from the
    sessions (the resume point comes with each session, `last_position_ms`,
    so no event is read): a profile whose last title was finished must leave,
    which replacing rows by key cannot do, and the rows go to the app as they
    are, so they carry no run stamp to take changes from.
-#}
with

played_sessions as (
    select
        playback_session_key,
        account_id,
        profile_id,
        title_id,
        started_at,
        ended_at,
        is_completed,
        row_number() over (
            partition by profile_id, title_id order by started_at desc, playback_session_key desc
        ) as recency_rank
    from {{ ref('fct_playback_sessions') }}
    where watch_time_ms > 0
),

latest_sessions as (
    select * from played_sessions
    where recency_rank = 1
),

unfinished_sessions as (
    select * from latest_sessions
    where is_completed = 0
),

-- The resume point is where the playhead was at the session's last event,
-- which is not its furthest point when the viewer seeked back.
last_positions as (
    select
        playback_sessions.playback_session_key,
        playback_sessions.last_position_ms as resume_position_ms
    from {{ ref('playback_sessions') }} as playback_sessions
    inner join unfinished_sessions
        on playback_sessions.playback_session_key = unfinished_sessions.playback_session_key
),

titles as (
    select
        title_id,
        runtime_min
    from {{ ref('dim_titles') }}
),

ranked as (
    select
        unfinished_sessions.profile_id,
        unfinished_sessions.title_id,
        unfinished_sessions.account_id,
        unfinished_sessions.playback_session_key,
        last_positions.resume_position_ms,
        unfinished_sessions.ended_at as last_watched_at,
        case
            when last_positions.resume_position_ms >= titles.runtime_min * 60000 then 1.0
            else 1.0 * last_positions.resume_position_ms / (titles.runtime_min * 60000)
        end as progress_ratio,
        row_number() over (
            partition by unfinished_sessions.profile_id
            order by unfinished_sessions.ended_at desc, unfinished_sessions.title_id asc
        ) as continue_watching_rank
    from unfinished_sessions
    inner join last_positions on unfinished_sessions.playback_session_key = last_positions.playback_session_key
    inner join titles on unfinished_sessions.title_id = titles.title_id
),

final as (
    select
        cast(profile_id as varchar(16)) as profile_id,
        cast(title_id as varchar(16)) as title_id,
        cast(account_id as varchar(16)) as account_id,
        cast(continue_watching_rank as int) as continue_watching_rank,
        cast(resume_position_ms as bigint) as resume_position_ms,
        cast(progress_ratio as decimal(9, 6)) as progress_ratio,
        cast(last_watched_at as {{ dbt.type_timestamp() }}) as last_watched_at,
        cast(playback_session_key as varchar(64)) as last_playback_session_key
    from ranked
)

select * from final
