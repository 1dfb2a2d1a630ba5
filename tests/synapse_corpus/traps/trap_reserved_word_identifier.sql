{# finding: reserved word as bare identifier | plan #}
select session_id, plan
from (select session_id, device as [plan] from {{ ref('fct_playback_sessions') }}) as sessions
