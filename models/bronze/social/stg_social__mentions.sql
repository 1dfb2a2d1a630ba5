{%- set mention_keys = [
    'mention_id',
    'platform',
    'title_text',
    'release_year',
    'posted_at',
    'text_length',
    'sentiment_score',
    'likes',
    'shares'
] -%}

with

-- The second-largest stream: numbered without a window over all its lines,
-- and each line parsed once.
source as (

    {{ numbered_lines(source('social', 'mentions'), file_partition='ingest_date') }}

),

parsed as (

    select
        _bronze_row_id,
        value,
        source_file,
        ingest_date,
        {{ json_fields('value', mention_keys) }} as json_values
    from source

),

fields as (

    select
        _bronze_row_id,
        coalesce(value, '') as raw_line,
        {{ json_fields_is_object('json_values', "coalesce(value, '')") }} as is_json_object,
        source_file,
        ingest_date,
        {{ json_fields_value('json_values', mention_keys, 'mention_id') }} as mention_id,
        {{ json_fields_value('json_values', mention_keys, 'platform') }} as platform,
        {{ json_fields_value('json_values', mention_keys, 'title_text') }} as title_text,
        {{ json_fields_value('json_values', mention_keys, 'release_year') }} as release_year,
        {{ json_fields_value('json_values', mention_keys, 'posted_at') }} as posted_at,
        {{ json_fields_value('json_values', mention_keys, 'text_length') }} as text_length,
        {{ json_fields_value('json_values', mention_keys, 'sentiment_score') }} as sentiment_score,
        {{ json_fields_value('json_values', mention_keys, 'likes') }} as likes,
        {{ json_fields_value('json_values', mention_keys, 'shares') }} as shares
    from parsed

),

renamed as (

    select
        -- ids
        _bronze_row_id,
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
        is_json_object as _is_valid_json

    from fields

)

select * from renamed
