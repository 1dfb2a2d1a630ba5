{# finding: ordered-set aggregate without OVER | percentile_cont #}
select country_code, percentile_cont(0.5) within group (order by watch_time_ms) as median_watch_ms
from {{ ref('fct_playback_sessions') }}
group by country_code
