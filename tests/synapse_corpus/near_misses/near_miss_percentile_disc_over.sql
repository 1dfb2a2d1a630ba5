{# valid on a dedicated SQL pool #}
select distinct country_code, percentile_disc(0.9) within group (order by watch_time_ms) over (partition by country_code) as p90_watch_ms
from {{ ref('fct_playback_sessions') }}
