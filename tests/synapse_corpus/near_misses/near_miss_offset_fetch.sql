{# valid on a dedicated SQL pool #}
select session_id
from {{ ref('fct_playback_sessions') }}
order by started_at desc
offset 10 rows fetch next 10 rows only
