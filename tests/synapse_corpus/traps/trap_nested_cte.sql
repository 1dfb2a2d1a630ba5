{# finding: nested CTE | with #}
with outer_sessions as (
    with inner_sessions as (select session_id from {{ ref('fct_playback_sessions') }})
    select session_id from inner_sessions
)

select session_id from outer_sessions
