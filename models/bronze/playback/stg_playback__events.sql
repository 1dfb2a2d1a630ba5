with

source as (

    select * from {{ source('playback', 'events') }}

),

fields as (

    select
        coalesce(value, '') as raw_line,
        {{ lake_relative_path('filename') }} as source_file,
        ingest_date,
        {{ json_field('value', 'event_id') }} as event_id,
        {{ json_field('value', 'session_id') }} as session_id,
        {{ json_field('value', 'account_id') }} as account_id,
        {{ json_field('value', 'profile_id') }} as profile_id,
        {{ json_field('value', 'title_id') }} as title_id,
        {{ json_field('value', 'event_type') }} as event_type,
        {{ json_field('value', 'position_ms') }} as position_ms,
        {{ json_field('value', 'bitrate_kbps') }} as bitrate_kbps,
        {{ json_field('value', 'device') }} as device,
        {{ json_field('value', 'os') }} as os,
        {{ json_field('value', 'app_version') }} as app_version,
        {{ json_field('value', 'cdn') }} as cdn,
        {{ json_field('value', 'country') }} as country,
        {{ json_field('value', 'client_ts') }} as client_ts,
        {{ json_field('value', 'enqueued_time') }} as enqueued_time,
        {{ json_field('value', 'partition') }} as partition_number,
        {{ json_field('value', 'sequence_number') }} as sequence_number
    from source

),

renamed as (

    select
        -- ids
        {{ bronze_row_id('source_file', 'raw_line', file_partition='ingest_date') }} as _bronze_row_id,
        trim(event_id) as event_id,
        trim(session_id) as session_id,
        trim(account_id) as account_id,
        trim(profile_id) as profile_id,
        trim(title_id) as title_id,

        -- attributes
        trim(event_type) as event_type,
        trim(device) as device,
        trim(os) as os,
        trim(app_version) as app_version,
        trim(cdn) as cdn,
        trim(country) as country,
        {{ dbt.safe_cast('trim(partition_number)', dbt.type_bigint()) }} as partition_number,
        partition_number as partition_number_raw,
        {{ dbt.safe_cast('trim(sequence_number)', dbt.type_bigint()) }} as sequence_number,
        sequence_number as sequence_number_raw,

        -- measures
        {{ dbt.safe_cast('trim(position_ms)', dbt.type_bigint()) }} as position_ms,
        position_ms as position_ms_raw,
        {{ dbt.safe_cast('trim(bitrate_kbps)', dbt.type_bigint()) }} as bitrate_kbps,
        bitrate_kbps as bitrate_kbps_raw,

        -- timestamps
        {{ parse_iso_timestamp('trim(client_ts)') }} as client_ts,
        client_ts as client_ts_raw,
        {{ parse_iso_timestamp('trim(enqueued_time)') }} as enqueued_time,
        enqueued_time as enqueued_time_raw,

        -- lineage
        source_file as _source_file,
        cast(ingest_date as date) as _ingest_date,
        coalesce(
            {{ parse_iso_timestamp('trim(enqueued_time)') }},
            cast(ingest_date as {{ dbt.type_timestamp() }})
        ) as _loaded_at,
        raw_line as _raw_payload,
        {{ is_valid_json('raw_line') }} as _is_valid_json

    from fields

)

select * from renamed
