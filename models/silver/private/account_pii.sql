{#-
    The current personal data of each account, for the rare lawful need
    (a data subject's access or erasure request, a fraud case): the latest
    trusted change of each account, keyed by account_id and by email_hash.
-#}
with trusted as (
    select * from {{ ref('int_accounts_validated') }}
    where quarantine_reason is null
),

ranked as (
    select
        account_id,
        email,
        email_hash,
        full_name,
        last_login_ip,
        updated_at,
        row_number() over (partition by account_id order by updated_at desc) as recency_rank
    from trusted
),

latest as (
    select
        account_id,
        email,
        email_hash,
        full_name,
        last_login_ip,
        updated_at
    from ranked
    where recency_rank = 1
)

select * from latest
