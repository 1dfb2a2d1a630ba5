{# finding: typed literal | CAST #}
select session_id
from {{ ref('fct_playback_sessions') }}
where session_date >= date '2026-10-01'
