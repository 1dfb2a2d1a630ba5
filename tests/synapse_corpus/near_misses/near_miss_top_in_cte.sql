{# valid on a dedicated SQL pool #}
with latest as (
    select top (100) session_id, started_at
    from {{ ref('fct_playback_sessions') }}
    order by started_at desc
)

select session_id
from latest
