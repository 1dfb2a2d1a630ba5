{# finding: function not in a dedicated SQL pool | greatest() #}
select session_id, greatest(watch_time_ms, max_position_ms) as furthest_ms
from {{ ref('fct_playback_sessions') }}
