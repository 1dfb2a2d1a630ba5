{# valid on a dedicated SQL pool #}
select country_code, stdev(watch_hours) as watch_spread, varp(watch_hours) as watch_variance
from {{ ref('fct_playback_sessions') }}
group by country_code
