{# valid on a dedicated SQL pool #}
select per_account.account_id, per_account.sessions
from (
    select account_id, count(*) as sessions
    from {{ ref('fct_playback_sessions') }}
    group by account_id
) as per_account
