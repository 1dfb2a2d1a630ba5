{# finding: data type the pool lacks | double #}
select session_id, cast(watch_time_ms as double) as watch_ms
from {{ ref('fct_playback_sessions') }}
