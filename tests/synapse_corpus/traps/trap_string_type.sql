{# finding: data type the pool lacks | string #}
select cast(session_id as string) as session_id
from {{ ref('fct_playback_sessions') }}
