{# valid on a dedicated SQL pool #}
select session_id, try_cast(app_version as int) as major_version
from {{ ref('fct_playback_sessions') }}
