{# valid on a dedicated SQL pool #}
select session_id, sum(watch_time_ms) over (partition by account_id order by started_at range between unbounded preceding and current row) as running_ms
from {{ ref('fct_playback_sessions') }}
