{# valid on a dedicated SQL pool #}
with per_account as (
    select account_id, count(*) as sessions
    from {{ ref('fct_playback_sessions') }}
    group by account_id
),

busy_accounts as (
    select account_id
    from per_account
    where sessions > 10
)

select account_id
from busy_accounts
