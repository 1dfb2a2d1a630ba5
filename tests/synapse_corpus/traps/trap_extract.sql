{# finding: function not in a dedicated SQL pool | extract() #}
select session_id, extract(year from session_date) as session_year
from {{ ref('fct_playback_sessions') }}
