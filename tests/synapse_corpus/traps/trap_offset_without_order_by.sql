{# finding: offset without order by | ORDER BY #}
select session_id
from {{ ref('fct_playback_sessions') }}
offset 10 rows
