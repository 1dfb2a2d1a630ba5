{# valid on a dedicated SQL pool #}
select account_id, session_id
from (
    select top (1000) account_id, session_id
    from {{ ref('fct_playback_sessions') }}
    order by started_at desc
) as latest
