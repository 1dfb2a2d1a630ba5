{#- One quarantine for the vendor feed: its two landed entities, told apart
    by entity_name (the row_conservation test filters on it). -#}

with

catalog_rejected as (
    select
        _bronze_row_id,
        'vendor' as source_name,
        'catalog' as entity_name,
        quarantine_reason,
        quarantine_detail,
        _raw_payload,
        _source_file,
        _ingest_date,
        _loaded_at
    from {{ ref('int_vendor_titles_validated') }}
    where quarantine_reason is not null
),

license_windows_rejected as (
    select
        _bronze_row_id,
        'vendor' as source_name,
        'license_windows' as entity_name,
        quarantine_reason,
        quarantine_detail,
        _raw_payload,
        _source_file,
        _ingest_date,
        _loaded_at
    from {{ ref('int_license_windows_validated') }}
    where quarantine_reason is not null
),

rejected as (
    select * from catalog_rejected
    union all
    select * from license_windows_rejected
)

select * from rejected
