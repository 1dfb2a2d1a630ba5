{# valid on a dedicated SQL pool #}
select session_id, device as [plan], os as "user"
from {{ ref('fct_playback_sessions') }}
