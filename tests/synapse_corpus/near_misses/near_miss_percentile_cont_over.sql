{# valid on a dedicated SQL pool #}
select distinct country_code, percentile_cont(0.5) within group (order by watch_time_ms) over (partition by country_code) as median_watch_ms
from {{ ref('fct_playback_sessions') }}
