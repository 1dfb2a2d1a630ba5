with

source as (

    select * from {{ source('vendor', 'catalog') }}

),

fields as (

    select
        _raw_payload as raw_line,
        _intake_issue,
        {{ lake_relative_path('filename') }} as source_file,
        ingest_date,
        show_id,
        type,
        title,
        director,
        {{ adapter.quote('cast') }} as cast_members,
        country,
        date_added,
        release_year,
        rating,
        duration,
        listed_in,
        description
    from source

),

renamed as (

    select
        -- ids
        {{ bronze_row_id('source_file', 'raw_line') }} as _bronze_row_id,
        trim(show_id) as show_id,

        -- attributes
        trim(type) as type,
        trim(title) as title,
        trim(director) as director,
        trim(cast_members) as cast_members,
        trim(country) as country,
        trim(date_added) as date_added,
        {{ dbt.safe_cast('trim(release_year)', dbt.type_bigint()) }} as release_year,
        release_year as release_year_raw,
        trim(rating) as rating,
        trim(duration) as duration,
        trim(listed_in) as listed_in,
        trim(description) as description,

        -- lineage
        source_file as _source_file,
        cast(ingest_date as date) as _ingest_date,
        cast(ingest_date as {{ dbt.type_timestamp() }}) as _loaded_at,
        raw_line as _raw_payload,
        _intake_issue

    from fields

)

select * from renamed
