with

source as (

    select * from {{ source('app', 'profiles') }}

),

fields as (

    select
        coalesce(value, '') as raw_line,
        {{ lake_relative_path('filename') }} as source_file,
        ingest_date,
        {{ json_field('value', 'profile_id') }} as profile_id,
        {{ json_field('value', 'account_id') }} as account_id,
        {{ json_field('value', 'profile_name') }} as profile_name,
        {{ json_field('value', 'is_kids') }} as is_kids,
        {{ json_field('value', 'created_at') }} as created_at
    from source

),

renamed as (

    select
        -- ids
        {{ bronze_row_id('source_file', 'raw_line') }} as _bronze_row_id,
        trim(profile_id) as profile_id,
        trim(account_id) as account_id,

        -- attributes
        trim(profile_name) as profile_name,
        case lower(trim(is_kids)) when 'true' then 1 when 'false' then 0 end as is_kids,
        is_kids as is_kids_raw,

        -- timestamps
        {{ parse_iso_timestamp('trim(created_at)') }} as created_at,
        created_at as created_at_raw,

        -- lineage
        source_file as _source_file,
        cast(ingest_date as date) as _ingest_date,
        cast(ingest_date as {{ dbt.type_timestamp() }}) as _loaded_at,
        raw_line as _raw_payload,
        {{ is_valid_json('raw_line') }} as _is_valid_json

    from fields

)

select * from renamed
