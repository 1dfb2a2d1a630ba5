{# valid on a dedicated SQL pool #}
select session_id, eomonth(session_date) as month_end, datefromparts(year(session_date), month(session_date), 1) as month_start
from {{ ref('fct_playback_sessions') }}
