{# valid on a dedicated SQL pool #}
select session_id, datepart(weekday, session_date) as weekday, datename(month, session_date) as month_name
from {{ ref('fct_playback_sessions') }}
