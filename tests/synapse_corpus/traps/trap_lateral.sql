{# finding: lateral | LATERAL #}
select sessions.session_id, extra.one
from {{ ref('fct_playback_sessions') }} as sessions
cross join lateral (select 1 as one) as extra
