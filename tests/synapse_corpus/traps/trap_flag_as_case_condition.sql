{# finding: value used as a condition | CASE WHEN #}
select session_id, case when has_error then 'bad' else 'good' end as health
from {{ ref('fct_playback_sessions') }}
