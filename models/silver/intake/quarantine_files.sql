with

quarantined as (
    select
        landed_file,
        source_name,
        entity_name,
        reason as quarantine_reason,
        detail as quarantine_detail,
        size_bytes,
        ingest_date,
        checked_at
    from {{ ref('stg_intake__landed_files') }}
    where status = 'quarantined'
)

select * from quarantined
