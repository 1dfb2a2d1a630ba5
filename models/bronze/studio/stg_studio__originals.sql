with

source as (

    select * from {{ source('studio', 'originals') }}

),

fields as (

    select
        coalesce(value, '') as raw_line,
        {{ lake_relative_path('filename') }} as source_file,
        ingest_date,
        {{ json_field('value', 'original_id') }} as original_id,
        {{ json_field('value', 'title') }} as title,
        {{ json_field('value', 'type') }} as type,
        {{ json_field('value', 'genres') }} as genres,
        {{ json_field('value', 'budget_usd') }} as budget_usd,
        {{ json_field('value', 'release_date') }} as release_date,
        {{ json_field('value', 'runtime_min') }} as runtime_min,
        {{ json_field('value', 'seasons') }} as seasons,
        {{ json_field('value', 'episodes') }} as episodes,
        {{ json_field('value', 'maturity_rating') }} as maturity_rating,
        {{ json_field('value', 'updated_at') }} as updated_at
    from source

),

renamed as (

    select
        -- ids
        {{ bronze_row_id('source_file', 'raw_line') }} as _bronze_row_id,
        trim(original_id) as original_id,

        -- attributes
        trim(title) as title,
        trim(type) as type,
        trim(genres) as genres,
        {{ dbt.safe_cast('trim(runtime_min)', dbt.type_bigint()) }} as runtime_min,
        runtime_min as runtime_min_raw,
        {{ dbt.safe_cast('trim(seasons)', dbt.type_bigint()) }} as seasons,
        seasons as seasons_raw,
        {{ dbt.safe_cast('trim(episodes)', dbt.type_bigint()) }} as episodes,
        episodes as episodes_raw,
        trim(maturity_rating) as maturity_rating,

        -- measures
        {{ dbt.safe_cast('trim(budget_usd)', 'decimal(18, 4)') }} as budget_usd,
        budget_usd as budget_usd_raw,

        -- timestamps
        {{ dbt.safe_cast('trim(release_date)', 'date') }} as release_date,
        release_date as release_date_raw,
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
