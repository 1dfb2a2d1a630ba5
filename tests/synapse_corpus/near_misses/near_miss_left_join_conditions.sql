{# valid on a dedicated SQL pool #}
select sessions.session_id, titles.title_id as catalog_title_id
from {{ ref('fct_playback_sessions') }} as sessions
left join {{ ref('dim_titles') }} as titles
    on sessions.title_id = titles.title_id and sessions.is_completed = 1
