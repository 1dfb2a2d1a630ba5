{# finding: function not in a dedicated SQL pool | current_date() #}
select session_id, current_date as as_of
from {{ ref('fct_playback_sessions') }}
