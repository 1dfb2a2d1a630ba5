{# finding: data type the pool lacks | json #}
select cast(session_id as json) as session_json
from {{ ref('fct_playback_sessions') }}
