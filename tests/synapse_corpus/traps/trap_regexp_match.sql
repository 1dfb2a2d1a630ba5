{# finding: regular expression match | device #}
select session_id
from {{ ref('fct_playback_sessions') }}
where device rlike '^tv'
