{# finding: function not in a dedicated SQL pool | ifnull() #}
select session_id, ifnull(cdn, 'unknown') as cdn
from {{ ref('fct_playback_sessions') }}
