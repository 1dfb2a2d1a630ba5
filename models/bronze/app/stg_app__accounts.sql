with

source as (

    select * from {{ source('app', 'accounts') }}

),

fields as (

    select
        coalesce(value, '') as raw_line,
        {{ lake_relative_path('filename') }} as source_file,
        ingest_date,
        {{ json_field('value', 'account_id') }} as account_id,
        {{ json_field('value', 'email') }} as email,
        {{ json_field('value', 'full_name') }} as full_name,
        {{ json_field('value', 'country') }} as country,
        {{ json_field('value', 'signup_at') }} as signup_at,
        {{ json_field('value', 'status') }} as status,
        {{ json_field('value', 'last_login_ip') }} as last_login_ip,
        {{ json_field('value', 'updated_at') }} as updated_at
    from source

),

renamed as (

    select
        -- ids
        {{ bronze_row_id('source_file', 'raw_line') }} as _bronze_row_id,
        trim(account_id) as account_id,

        -- attributes
        trim(email) as email,
        trim(full_name) as full_name,
        trim(country) as country,
        trim(status) as status,
        trim(last_login_ip) as last_login_ip,

        -- timestamps
        {{ parse_iso_timestamp('trim(signup_at)') }} as signup_at,
        signup_at as signup_at_raw,
        {{ parse_iso_timestamp('trim(updated_at)') }} as updated_at,
        updated_at as updated_at_raw,

        -- lineage
        source_file as _source_file,
        cast(ingest_date as date) as _ingest_date,
        cast(ingest_date as {{ dbt.type_timestamp() }}) as _loaded_at,
        raw_line as _raw_payload,
        {{ is_valid_json('raw_line') }} as _is_valid_json

    from fields

)

select * from renamed
