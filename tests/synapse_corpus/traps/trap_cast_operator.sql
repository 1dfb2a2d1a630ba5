{# finding: `::` cast | CAST #}
select session_id, watch_time_ms::bigint as watch_ms
from {{ ref('fct_playback_sessions') }}
