{# finding: data type the pool lacks | timestamptz #}
select session_id, cast(started_at as timestamptz) as started_at
from {{ ref('fct_playback_sessions') }}
