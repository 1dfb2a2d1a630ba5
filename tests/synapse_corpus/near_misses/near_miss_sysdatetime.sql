{# valid on a dedicated SQL pool #}
select session_id, datediff(hour, started_at, sysutcdatetime()) as hours_ago, getdate() as checked_at
from {{ ref('fct_playback_sessions') }}
