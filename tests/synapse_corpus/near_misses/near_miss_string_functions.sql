{# valid on a dedicated SQL pool #}
select session_id, left(os, 3) as os_prefix, right(app_version, 2) as patch, len(device) as device_length, charindex('.', app_version) as dot_at, substring(app_version, 1, 3) as minor
from {{ ref('fct_playback_sessions') }}
