{# finding: is [not] distinct from | cdn #}
select session_id
from {{ ref('fct_playback_sessions') }}
where cdn is distinct from os
