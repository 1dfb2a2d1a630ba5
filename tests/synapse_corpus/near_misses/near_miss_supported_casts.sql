{# valid on a dedicated SQL pool #}
select session_id, cast(started_at as datetime2(3)) as started_at, cast(watch_hours as decimal(18, 2)) as hours, cast(device as nvarchar(100)) as device
from {{ ref('fct_playback_sessions') }}
