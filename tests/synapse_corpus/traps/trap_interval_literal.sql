{# finding: interval literal | INTERVAL #}
select session_id, started_at + interval '7 days' as due_at
from {{ ref('fct_playback_sessions') }}
