{# valid on a dedicated SQL pool #}
select session_id
from {{ ref('fct_playback_sessions') }}
where device not in ('fridge', 'watch') and error_count between 1 and 5
