{#- Trusted profiles, without the profile name (personal data). -#}
with trusted as (
    select * from {{ ref('int_profiles_validated') }}
    where quarantine_reason is null
),

profiles as (
    select
        profile_id,
        account_id,
        is_kids,
        created_at,
        _bronze_row_id,
        _ingest_date
    from trusted
)

select * from profiles
