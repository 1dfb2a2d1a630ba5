{# finding: natural join | INNER #}
select session_id
from {{ ref('fct_playback_sessions') }} as sessions
natural join {{ ref('dim_titles') }} as titles
