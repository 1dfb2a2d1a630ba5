{# finding: group by all | grouping #}
select account_id, count(*) as sessions
from {{ ref('fct_playback_sessions') }}
group by all
