{%- set event_keys = [
    'event_id',
    'session_id',
    'account_id',
    'profile_id',
    'title_id',
    'event_type',
    'position_ms',
    'bitrate_kbps',
    'device',
    'os',
    'app_version',
    'cdn',
    'country',
    'client_ts',
    'enqueued_time',
    'partition',
    'sequence_number'
] -%}

with

-- The playback stream is the largest source: its lines are numbered without
-- a window over all of them, and each is parsed once.
source as (

    {{ numbered_lines(source('playback', 'events'), file_partition='ingest_date') }}

),

parsed as (

    select
        _bronze_row_id,
        value,
        source_file,
        ingest_date,
        {{ json_fields('value', event_keys) }} as json_values
    from source

),

fields as (

    select
        _bronze_row_id,
        coalesce(value, '') as raw_line,
        {{ json_fields_is_object('json_values', "coalesce(value, '')") }} as is_json_object,
        source_file,
        ingest_date,
        {{ json_fields_value('json_values', event_keys, 'event_id') }} as event_id,
        {{ json_fields_value('json_values', event_keys, 'session_id') }} as session_id,
        {{ json_fields_value('json_values', event_keys, 'account_id') }} as account_id,
        {{ json_fields_value('json_values', event_keys, 'profile_id') }} as profile_id,
        {{ json_fields_value('json_values', event_keys, 'title_id') }} as title_id,
        {{ json_fields_value('json_values', event_keys, 'event_type') }} as event_type,
        {{ json_fields_value('json_values', event_keys, 'position_ms') }} as position_ms,
        {{ json_fields_value('json_values', event_keys, 'bitrate_kbps') }} as bitrate_kbps,
        {{ json_fields_value('json_values', event_keys, 'device') }} as device,
        {{ json_fields_value('json_values', event_keys, 'os') }} as os,
        {{ json_fields_value('json_values', event_keys, 'app_version') }} as app_version,
        {{ json_fields_value('json_values', event_keys, 'cdn') }} as cdn,
        {{ json_fields_value('json_values', event_keys, 'country') }} as country,
        {{ json_fields_value('json_values', event_keys, 'client_ts') }} as client_ts,
        {{ json_fields_value('json_values', event_keys, 'enqueued_time') }} as enqueued_time,
        {{ json_fields_value('json_values', event_keys, 'partition') }} as partition_number,
        {{ json_fields_value('json_values', event_keys, 'sequence_number') }} as sequence_number
    from parsed

),

renamed as (

    select
        -- ids
        _bronze_row_id,
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
        is_json_object as _is_valid_json

    from fields

)

select * from renamed
