{# valid on a dedicated SQL pool #}
select session_id, case when error_count > 0 and (has_error = 1 or is_completed = 0) then 1 else 0 end as troubled
from {{ ref('fct_playback_sessions') }}
