{# finding: similar to | SIMILAR TO #}
select session_id
from {{ ref('fct_playback_sessions') }}
where device similar to '(tv|phone)%'
