{# finding: limit | limit #}
select session_id
from {{ ref('fct_playback_sessions') }}
order by started_at desc
limit 10
