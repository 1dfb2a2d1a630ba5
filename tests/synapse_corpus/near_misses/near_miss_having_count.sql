{# valid on a dedicated SQL pool #}
select account_id, count(*) as sessions
from {{ ref('fct_playback_sessions') }}
group by account_id
having count(*) > 10
