{# finding: distinct in a window aggregate | DISTINCT #}
select session_id, count(distinct title_id) over (partition by account_id) as titles_watched
from {{ ref('fct_playback_sessions') }}
