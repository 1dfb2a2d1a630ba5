{# valid on a dedicated SQL pool #}
select session_id, choose(datepart(weekday, session_date), 'Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat') as weekday_name
from {{ ref('fct_playback_sessions') }}
