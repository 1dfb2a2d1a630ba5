{# finding: group by ordinal | group by 1 #}
select account_id, count(*) as sessions
from {{ ref('fct_playback_sessions') }}
group by 1
