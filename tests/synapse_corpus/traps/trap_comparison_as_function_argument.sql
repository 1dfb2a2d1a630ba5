{# finding: boolean expression used as a value | function argument #}
select session_id, coalesce(is_completed = 1, 0) as completed
from {{ ref('fct_playback_sessions') }}
