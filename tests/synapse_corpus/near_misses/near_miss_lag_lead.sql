{# valid on a dedicated SQL pool #}
select session_id, lag(started_at) over (partition by account_id order by started_at) as previous_start, lead(started_at, 1) over (partition by account_id order by started_at) as next_start
from {{ ref('fct_playback_sessions') }}
