{# valid on a dedicated SQL pool #}
select session_id
from {{ ref('fct_playback_sessions') }}
where session_date >= cast('2026-10-01' as date) and started_at < cast('2026-11-01T00:00:00' as datetime2(6))
