{# valid on a dedicated SQL pool #}
select session_id, case when watch_time_ms > 0 then 1 else 0 end as watched
from {{ ref('fct_playback_sessions') }}
