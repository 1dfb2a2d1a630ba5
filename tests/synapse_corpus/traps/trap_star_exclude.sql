{# finding: select * exclude | columns #}
select * exclude (os)
from {{ ref('fct_playback_sessions') }}
