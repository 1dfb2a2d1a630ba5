{# finding: top with offset | TOP #}
select top 10 session_id
from {{ ref('fct_playback_sessions') }}
order by started_at
offset 5 rows
