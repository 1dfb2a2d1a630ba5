{# finding: function not in a dedicated SQL pool | datetrunc() #}
select session_id, datetrunc(month, session_date) as session_month
from {{ ref('fct_playback_sessions') }}
