{#-
    Re-checks the selection against the sessions: no title in a profile's
    continue-watching row may have a completed session that started after the
    session the row resumes, nor be already past the completion threshold.
    Returns the offending rows.
-#}
with

continue_watching as (
    select
        profile_id,
        title_id,
        last_playback_session_key,
        progress_ratio
    from {{ ref('mart_continue_watching') }}
),

resumed_sessions as (
    select
        playback_session_key,
        started_at,
        is_completed
    from {{ ref('fct_playback_sessions') }}
),

completed_sessions as (
    select
        profile_id,
        title_id,
        started_at
    from {{ ref('fct_playback_sessions') }}
    where is_completed = 1
)

select
    continue_watching.profile_id,
    continue_watching.title_id,
    'resumed session is completed or ahead of the threshold' as problem
from continue_watching
inner join resumed_sessions on continue_watching.last_playback_session_key = resumed_sessions.playback_session_key
where
    resumed_sessions.is_completed <> 0
    or continue_watching.progress_ratio >= {{ var('completion_ratio_threshold', 0.9) }}

union all

select
    continue_watching.profile_id,
    continue_watching.title_id,
    'finished in a later session' as problem
from continue_watching
inner join resumed_sessions on continue_watching.last_playback_session_key = resumed_sessions.playback_session_key
inner join completed_sessions
    on
        continue_watching.profile_id = completed_sessions.profile_id
        and continue_watching.title_id = completed_sessions.title_id
        and resumed_sessions.started_at < completed_sessions.started_at
