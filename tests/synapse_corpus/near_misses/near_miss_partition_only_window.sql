{# valid on a dedicated SQL pool #}
select session_id, count(*) over (partition by account_id) as account_sessions
from {{ ref('fct_playback_sessions') }}
