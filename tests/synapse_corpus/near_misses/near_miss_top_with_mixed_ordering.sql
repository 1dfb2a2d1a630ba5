{# valid on a dedicated SQL pool #}
select top (10) session_id
from {{ ref('fct_playback_sessions') }}
order by country_code asc, watch_time_ms desc
