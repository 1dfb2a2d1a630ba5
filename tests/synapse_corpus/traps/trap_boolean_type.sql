{# finding: data type the pool lacks | boolean #}
select session_id, cast(is_completed as boolean) as completed
from {{ ref('fct_playback_sessions') }}
