{#-
    The trusted history of every account: one row per landed account change,
    in the order the app wrote them (updated_at), personal data replaced by
    the salted e-mail hash. A change that lands late still takes its place by
    updated_at, so valid_from/valid_to never overlap.
-#}
with trusted as (
    select * from {{ ref('int_accounts_validated') }}
    where quarantine_reason is null
),

versions as (
    select
        _bronze_row_id,
        account_id,
        email_hash,
        country,
        status,
        signup_at,
        updated_at as valid_from,
        _ingest_date,
        _loaded_at,
        lead(updated_at) over (partition by account_id order by updated_at) as valid_to,
        row_number() over (partition by account_id order by updated_at) as version_number
    from trusted
),

flagged as (
    select
        _bronze_row_id,
        account_id,
        version_number,
        email_hash,
        country,
        status,
        signup_at,
        valid_from,
        valid_to,
        _ingest_date,
        _loaded_at,
        case when valid_to is null then 1 else 0 end as is_current_version
    from versions
)

select * from flagged
