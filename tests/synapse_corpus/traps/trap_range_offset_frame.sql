{# finding: window frame | RANGE #}
select session_id, sum(watch_time_ms) over (order by session_date range between 7 preceding and current row) as week_ms
from {{ ref('fct_playback_sessions') }}
