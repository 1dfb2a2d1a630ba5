{# valid on a dedicated SQL pool #}
select session_id, json_value(concat('{"os":"', os, '"}'), '$.os') as os, isjson(os) as os_is_json
from {{ ref('fct_playback_sessions') }}
