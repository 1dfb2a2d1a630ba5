{# valid on a dedicated SQL pool #}
select session_id, cast(started_at as datetimeoffset) as started_at_utc, cast(is_completed as bit) as completed_bit
from {{ ref('fct_playback_sessions') }}
