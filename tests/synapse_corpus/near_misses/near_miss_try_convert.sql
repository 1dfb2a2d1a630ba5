{# valid on a dedicated SQL pool #}
select session_id, try_convert(int, app_version) as major_version
from {{ ref('fct_playback_sessions') }}
