{# valid on a dedicated SQL pool #}
select session_id, dateadd(day, 7, session_date) as due_date, datediff(day, session_date, cast(ended_at as date)) as days_open
from {{ ref('fct_playback_sessions') }}
