{# valid on a dedicated SQL pool #}
select account_id, sum(case when has_error = 1 then 1 else 0 end) as failed_sessions, avg(cast(watch_time_ms as float)) as avg_watch_ms
from {{ ref('fct_playback_sessions') }}
group by account_id
