{# valid on a dedicated SQL pool #}
select session_id, floor(watch_hours) as whole_hours, ceiling(watch_hours) as started_hours, round(completion_ratio, 2) as completion, power(error_count, 2) as error_weight, abs(rebuffer_time_ms) as rebuffer_ms
from {{ ref('fct_playback_sessions') }}
