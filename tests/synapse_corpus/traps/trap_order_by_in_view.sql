{# finding: order by in a view, subquery or CTE | TOP #}
select session_id, started_at
from {{ ref('fct_playback_sessions') }}
order by started_at
