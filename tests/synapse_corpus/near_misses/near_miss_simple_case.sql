{# valid on a dedicated SQL pool #}
select session_id, case device when 'tv' then 'big screen' else 'small screen' end as screen
from {{ ref('fct_playback_sessions') }}
