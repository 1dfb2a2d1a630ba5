{# finding: group by rollup/cube/grouping sets | ROLLUP #}
select country_code, device, count(*) as sessions
from {{ ref('fct_playback_sessions') }}
group by rollup (country_code, device)
