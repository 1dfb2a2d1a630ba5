{# finding: distinct on | DISTINCT ON #}
select distinct on (account_id) account_id, session_id
from {{ ref('fct_playback_sessions') }}
