{# valid on a dedicated SQL pool #}
select coalesce(sessions.title_id, titles.title_id) as title_id
from {{ ref('fct_playback_sessions') }} as sessions
full outer join {{ ref('dim_titles') }} as titles
    on sessions.title_id = titles.title_id
