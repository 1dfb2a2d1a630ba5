{# valid on a dedicated SQL pool #}
select country_code, count(distinct account_id) as accounts
from {{ ref('fct_playback_sessions') }}
group by country_code
