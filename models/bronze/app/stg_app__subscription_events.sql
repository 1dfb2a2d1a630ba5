with

source as (

    select * from {{ source('app', 'subscription_events') }}

),

fields as (

    select
        coalesce(value, '') as raw_line,
        {{ lake_relative_path('filename') }} as source_file,
        ingest_date,
        {{ json_field('value', 'event_id') }} as event_id,
        {{ json_field('value', 'account_id') }} as account_id,
        {{ json_field('value', 'event_type') }} as event_type,
        {{ json_field('value', 'plan_id') }} as plan_id,
        {{ json_field('value', 'amount') }} as amount,
        {{ json_field('value', 'currency') }} as currency,
        {{ json_field('value', 'event_ts') }} as event_ts
    from source

),

renamed as (

    select
        -- ids
        {{ bronze_row_id('source_file', 'raw_line') }} as _bronze_row_id,
        trim(event_id) as event_id,
        trim(account_id) as account_id,
        trim(plan_id) as plan_id,

        -- attributes
        trim(event_type) as event_type,
        trim(currency) as currency,

        -- measures
        {{ dbt.safe_cast('trim(amount)', 'decimal(18, 4)') }} as amount,
        amount as amount_raw,

        -- timestamps
        {{ parse_iso_timestamp('trim(event_ts)') }} as event_ts,
        event_ts as event_ts_raw,

        -- lineage
        source_file as _source_file,
        cast(ingest_date as date) as _ingest_date,
        cast(ingest_date as {{ dbt.type_timestamp() }}) as _loaded_at,
        raw_line as _raw_payload,
        {{ is_valid_json('raw_line') }} as _is_valid_json

    from fields

)

select * from renamed
