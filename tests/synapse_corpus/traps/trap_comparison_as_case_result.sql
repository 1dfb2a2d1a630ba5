{# finding: boolean expression used as a value | CASE result #}
select session_id, case when error_count > 0 then watch_time_ms > 0 else 0 end as watched
from {{ ref('fct_playback_sessions') }}
