{# finding: data type the pool lacks | text #}
select cast(session_id as text) as session_id
from {{ ref('fct_playback_sessions') }}
