{# valid on a dedicated SQL pool #}
select session_id, convert(varchar(64), hashbytes('SHA2_256', session_id), 2) as session_hash
from {{ ref('fct_playback_sessions') }}
