{# valid on a dedicated SQL pool #}
select session_id, iif(watch_time_ms > 0, 1, 0) as watched
from {{ ref('fct_playback_sessions') }}
