{# finding: boolean expression used as a value | select list #}
select session_id, watch_time_ms > 0 as watched
from {{ ref('fct_playback_sessions') }}
