{# finding: qualify | QUALIFY #}
select account_id, session_id
from {{ ref('fct_playback_sessions') }}
qualify row_number() over (partition by account_id order by started_at desc) = 1
