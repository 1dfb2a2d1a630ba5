{# valid on a dedicated SQL pool #}
select country_code, count_big(*) as sessions, approx_count_distinct(account_id) as accounts
from {{ ref('fct_playback_sessions') }}
group by country_code
