{# finding: function not in a dedicated SQL pool | date_trunc() #}
select session_id, date_trunc('month', session_date) as session_month
from {{ ref('fct_playback_sessions') }}
