{# finding: join using | USING #}
select sessions.session_id, titles.title_id
from {{ ref('fct_playback_sessions') }} as sessions
inner join {{ ref('dim_titles') }} as titles using (title_id)
