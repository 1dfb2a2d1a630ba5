{# finding: function not in a dedicated SQL pool | string_escape() #}
select session_id, string_escape(os, 'json') as os_json
from {{ ref('fct_playback_sessions') }}
