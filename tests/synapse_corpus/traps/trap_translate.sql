{# finding: function not in a dedicated SQL pool | translate() #}
select session_id, translate(os, '-_', '  ') as os_words
from {{ ref('fct_playback_sessions') }}
