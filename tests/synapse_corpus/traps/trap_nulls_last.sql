{# finding: nulls first/last | NULLS LAST #}
select top (10) session_id
from {{ ref('fct_playback_sessions') }}
order by ended_at nulls last
