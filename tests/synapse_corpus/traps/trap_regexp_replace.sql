{# finding: function not in a dedicated SQL pool | regexp_replace() #}
select session_id, regexp_replace(app_version, '[^0-9.]', '') as version
from {{ ref('fct_playback_sessions') }}
