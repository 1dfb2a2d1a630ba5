{# valid on a dedicated SQL pool #}
select titles.title_id
from {{ ref('dim_titles') }} as titles
where exists (select 1 from {{ ref('fct_playback_sessions') }} as sessions where sessions.title_id = titles.title_id)
