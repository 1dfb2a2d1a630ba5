{# valid on a dedicated SQL pool #}
select top (10) session_id
from {{ ref('fct_playback_sessions') }}
order by started_at desc
