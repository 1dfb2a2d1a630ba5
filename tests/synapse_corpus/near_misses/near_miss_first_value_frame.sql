{# valid on a dedicated SQL pool #}
select session_id, first_value(title_id) over (partition by account_id order by started_at rows between unbounded preceding and current row) as first_title
from {{ ref('fct_playback_sessions') }}
