{# finding: data type the pool lacks | time zone #}
select session_id, cast(started_at as timestamp with time zone) as started_at
from {{ ref('fct_playback_sessions') }}
