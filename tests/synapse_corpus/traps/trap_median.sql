{# finding: function not in a dedicated SQL pool | median() #}
select country_code, median(watch_time_ms) as median_watch_ms
from {{ ref('fct_playback_sessions') }}
group by country_code
