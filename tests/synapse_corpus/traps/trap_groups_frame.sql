{# finding: window frame | GROUPS #}
select session_id, sum(watch_time_ms) over (order by session_date groups between 1 preceding and current row) as recent_ms
from {{ ref('fct_playback_sessions') }}
