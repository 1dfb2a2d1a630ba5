{# valid on a dedicated SQL pool #}
with ranked as (
    select account_id, session_id, row_number() over (partition by account_id order by started_at desc) as recency
    from {{ ref('fct_playback_sessions') }}
)

select account_id, session_id
from ranked
where recency = 1
