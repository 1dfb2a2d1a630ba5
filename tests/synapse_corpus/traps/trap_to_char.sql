{# finding: function not in a dedicated SQL pool | to_char() #}
select session_id, to_char(session_date, 'YYYY-MM') as session_month
from {{ ref('fct_playback_sessions') }}
