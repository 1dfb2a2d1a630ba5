with

source as (

    select * from {{ source('app', 'ratings') }}

),

fields as (

    select
        coalesce(value, '') as raw_line,
        {{ lake_relative_path('filename') }} as source_file,
        ingest_date,
        {{ json_field('value', 'rating_id') }} as rating_id,
        {{ json_field('value', 'account_id') }} as account_id,
        {{ json_field('value', 'profile_id') }} as profile_id,
        {{ json_field('value', 'title_id') }} as title_id,
        {{ json_field('value', 'thumb') }} as thumb,
        {{ json_field('value', 'rated_at') }} as rated_at
    from source

),

renamed as (

    select
        -- ids
        {{ bronze_row_id('source_file', 'raw_line') }} as _bronze_row_id,
        trim(rating_id) as rating_id,
        trim(account_id) as account_id,
        trim(profile_id) as profile_id,
        trim(title_id) as title_id,

        -- attributes
        trim(thumb) as thumb,

        -- timestamps
        {{ parse_iso_timestamp('trim(rated_at)') }} as rated_at,
        rated_at as rated_at_raw,

        -- lineage
        source_file as _source_file,
        cast(ingest_date as date) as _ingest_date,
        cast(ingest_date as {{ dbt.type_timestamp() }}) as _loaded_at,
        raw_line as _raw_payload,
        {{ is_valid_json('raw_line') }} as _is_valid_json

    from fields

)

select * from renamed
