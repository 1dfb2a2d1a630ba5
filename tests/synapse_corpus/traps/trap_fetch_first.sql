{# finding: fetch without offset | OFFSET #}
select session_id
from {{ ref('fct_playback_sessions') }}
order by started_at desc
fetch first 10 rows only
