{# valid on a dedicated SQL pool #}
select session_id, convert(varchar(10), session_date, 23) as session_day
from {{ ref('fct_playback_sessions') }}
