{# valid on a dedicated SQL pool #}
select session_id, 'a || b :: c' as label, 'limit 1 qualify true' as note
from {{ ref('fct_playback_sessions') }}
