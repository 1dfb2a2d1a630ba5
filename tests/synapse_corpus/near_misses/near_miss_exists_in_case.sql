{# valid on a dedicated SQL pool #}
select titles.title_id, case when exists (select 1 from {{ ref('fct_playback_sessions') }} as sessions where sessions.title_id = titles.title_id) then 1 else 0 end as was_watched
from {{ ref('dim_titles') }} as titles
