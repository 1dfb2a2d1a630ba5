{# finding: data type the pool lacks | array #}
select cast(session_id as array<varchar(36)>) as session_ids
from {{ ref('fct_playback_sessions') }}
