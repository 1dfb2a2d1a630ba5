{# finding: select * replace | columns #}
select * replace (upper(os) as os)
from {{ ref('fct_playback_sessions') }}
