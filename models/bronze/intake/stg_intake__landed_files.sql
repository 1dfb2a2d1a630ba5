with

source as (

    select * from {{ source('intake', 'landed_files') }}

),

renamed as (

    select
        -- ids
        landed_file,
        intake_file,

        -- attributes
        source as source_name,
        entity as entity_name,
        status,
        reason,
        detail,
        encoding,
        unknown_columns,
        value_formats,

        -- measures
        size_bytes,
        records,
        blank_lines,
        flagged_records,

        -- timestamps
        cast(ingest_date as date) as ingest_date,
        checked_at

    from source

)

select * from renamed
