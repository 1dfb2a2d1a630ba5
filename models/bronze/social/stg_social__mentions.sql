with

source as (

    select * from {{ source('social', 'mentions') }}

),

fields as (

    select
        coalesce(value, '') as raw_line,
        {{ lake_relative_path('filename') }} as source_file,
        ingest_date,
        {{ json_field('value', 'mention_id') }} as mention_id,
        {{ json_field('value', 'platform') }} as platform,
        {{ json_field('value', 'title_text') }} as title_text,
        {{ json_field('value', 'release_year') }} as release_year,
        {{ json_field('value', 'posted_at') }} as posted_at,
        {{ json_field('value', 'text_length') }} as text_length,
        {{ json_field('value', 'sentiment_score') }} as sentiment_score,
        {{ json_field('value', 'likes') }} as likes,
        {{ json_field('value', 'shares') }} as shares
    from source

),

renamed as (

    select
        -- ids
        {{ bronze_row_id('source_file', 'raw_line') }} as _bronze_row_id,
        trim(mention_id) as mention_id,

        -- attributes
        trim(platform) as platform,
        trim(title_text) as title_text,
        {{ dbt.safe_cast('trim(release_year)', dbt.type_bigint()) }} as release_year,
        release_year as release_year_raw,

        -- measures
        {{ dbt.safe_cast('trim(text_length)', dbt.type_bigint()) }} as text_length,
        text_length as text_length_raw,
        {{ dbt.safe_cast('trim(sentiment_score)', 'decimal(18, 4)') }} as sentiment_score,
        sentiment_score as sentiment_score_raw,
        {{ dbt.safe_cast('trim(likes)', dbt.type_bigint()) }} as likes,
        likes as likes_raw,
        {{ dbt.safe_cast('trim(shares)', dbt.type_bigint()) }} as shares,
        shares as shares_raw,

        -- timestamps
        {{ parse_iso_timestamp('trim(posted_at)') }} as posted_at,
        posted_at as posted_at_raw,

        -- lineage
        source_file as _source_file,
        cast(ingest_date as date) as _ingest_date,
        cast(ingest_date as {{ dbt.type_timestamp() }}) as _loaded_at,
        raw_line as _raw_payload,
        {{ is_valid_json('raw_line') }} as _is_valid_json

    from fields

)

select * from renamed
