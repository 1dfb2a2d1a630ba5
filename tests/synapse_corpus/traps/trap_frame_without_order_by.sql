{# finding: window frame | ORDER BY #}
select session_id, sum(watch_time_ms) over (partition by account_id rows unbounded preceding) as running_ms
from {{ ref('fct_playback_sessions') }}
