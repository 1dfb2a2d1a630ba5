{# finding: isjson type constraint | second argument #}
select session_id, isjson(os, object) as os_is_object
from {{ ref('fct_playback_sessions') }}
