{# finding: value used as a condition | WHERE #}
select session_id
from {{ ref('fct_playback_sessions') }}
where is_completed
