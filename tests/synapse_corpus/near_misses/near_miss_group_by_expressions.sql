{# valid on a dedicated SQL pool #}
select year(session_date) as session_year, month(session_date) as session_month, count(*) as sessions
from {{ ref('fct_playback_sessions') }}
group by year(session_date), month(session_date)
