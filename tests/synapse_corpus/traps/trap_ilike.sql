{# finding: ilike | ILIKE #}
select session_id
from {{ ref('fct_playback_sessions') }}
where device ilike 'tv%'
