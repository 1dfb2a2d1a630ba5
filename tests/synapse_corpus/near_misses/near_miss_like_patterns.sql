{# valid on a dedicated SQL pool #}
select session_id
from {{ ref('fct_playback_sessions') }}
where app_version like '[0-9].%' and os not like '%beta%'
