{# valid on a dedicated SQL pool #}
select session_id, ntile(4) over (order by watch_time_ms) as quartile, percent_rank() over (order by watch_time_ms) as watch_rank, cume_dist() over (order by watch_time_ms) as watch_share
from {{ ref('fct_playback_sessions') }}
