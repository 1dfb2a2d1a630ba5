with

rejected as (
    select
        _bronze_row_id,
        'playback' as source_name,
        'events' as entity_name,
        quarantine_reason,
        quarantine_detail,
        _raw_payload,
        _source_file,
        _ingest_date,
        _loaded_at
    from {{ ref('int_playback_events_validated') }}
    where quarantine_reason is not null
)

select * from rejected
