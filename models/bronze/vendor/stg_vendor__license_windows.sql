with

source as (

    select * from {{ source('vendor', 'license_windows') }}

),

fields as (

    select
        _raw_payload as raw_line,
        _intake_issue,
        {{ lake_relative_path('filename') }} as source_file,
        ingest_date,
        license_id,
        show_id,
        territory,
        window_start,
        window_end,
        license_type,
        fee_usd
    from source

),

renamed as (

    select
        -- ids
        {{ bronze_row_id('source_file', 'raw_line') }} as _bronze_row_id,
        trim(license_id) as license_id,
        trim(show_id) as show_id,

        -- attributes
        trim(territory) as territory,
        trim(license_type) as license_type,

        -- measures
        {{ dbt.safe_cast('trim(fee_usd)', 'decimal(18, 4)') }} as fee_usd,
        fee_usd as fee_usd_raw,

        -- timestamps
        {{ dbt.safe_cast('trim(window_start)', 'date') }} as window_start,
        window_start as window_start_raw,
        {{ dbt.safe_cast('trim(window_end)', 'date') }} as window_end,
        window_end as window_end_raw,

        -- lineage
        source_file as _source_file,
        cast(ingest_date as date) as _ingest_date,
        cast(ingest_date as {{ dbt.type_timestamp() }}) as _loaded_at,
        raw_line as _raw_payload,
        _intake_issue

    from fields

)

select * from renamed
