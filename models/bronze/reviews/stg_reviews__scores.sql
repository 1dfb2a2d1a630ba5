with

source as (

    select * from {{ source('reviews', 'scores') }}

),

fields as (

    select
        _raw_payload as raw_line,
        _intake_issue,
        {{ lake_relative_path('filename') }} as source_file,
        ingest_date,
        site,
        site_title_id,
        title,
        release_year,
        score,
        vote_count,
        scraped_at
    from source

),

renamed as (

    select
        -- ids
        {{ bronze_row_id('source_file', 'raw_line') }} as _bronze_row_id,
        trim(site_title_id) as site_title_id,

        -- attributes
        trim(site) as site,
        trim(title) as title,
        {{ dbt.safe_cast('trim(release_year)', dbt.type_bigint()) }} as release_year,
        release_year as release_year_raw,

        -- measures
        {{ dbt.safe_cast('trim(score)', 'decimal(18, 4)') }} as score,
        score as score_raw,
        {{ dbt.safe_cast('trim(vote_count)', dbt.type_bigint()) }} as vote_count,
        vote_count as vote_count_raw,

        -- timestamps
        {{ parse_iso_timestamp('trim(scraped_at)') }} as scraped_at,
        scraped_at as scraped_at_raw,

        -- lineage
        source_file as _source_file,
        cast(ingest_date as date) as _ingest_date,
        cast(ingest_date as {{ dbt.type_timestamp() }}) as _loaded_at,
        raw_line as _raw_payload,
        _intake_issue

    from fields

)

select * from renamed
