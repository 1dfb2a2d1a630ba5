{# finding: data type the pool lacks | timestamp #}
select session_id, cast(started_at as timestamp) as started_at
from {{ ref('fct_playback_sessions') }}
