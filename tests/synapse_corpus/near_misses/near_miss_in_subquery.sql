{# valid on a dedicated SQL pool #}
select titles.title_id
from {{ ref('dim_titles') }} as titles
where titles.title_id in (select sessions.title_id from {{ ref('fct_playback_sessions') }} as sessions where sessions.is_completed = 1)
