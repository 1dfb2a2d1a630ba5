{# valid on a dedicated SQL pool #}
select session_id, format(session_date, 'yyyy-MM') as session_month, str(watch_hours, 10, 2) as hours_text
from {{ ref('fct_playback_sessions') }}
