{# finding: boolean literal | true #}
select session_id, case when error_count > 0 then true else false end as has_errors
from {{ ref('fct_playback_sessions') }}
