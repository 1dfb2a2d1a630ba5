{#-
    Every landed line of the studio's originals export once, typed and
    cleaned, with the first rule it breaks (quarantine_reason, NULL when
    clean). Rules in priority order:
    malformed > missing_required > bad_type > invalid_enum > invalid_range
    > future_timestamp > duplicate.
    A line per original and updated_at is one version; the same pair twice is
    a re-delivery. Enums are compared as landed, without case folding: the
    production system writes the contract's lower-case codes, so `Series` is
    a breach of the contract (invalid_enum), not a spelling to repair.
-#}
{%- set required_text_fields = ['original_id', 'title_name', 'title_type', 'genres_json', 'maturity_rating'] -%}
{%- set required_typed_fields = ['budget_usd', 'release_date', 'runtime_min', 'updated_at'] -%}
{%- set typed_fields = {
    'budget_usd': 'decimal', 'release_date': 'date', 'runtime_min': 'integer',
    'updated_at': 'timestamp', 'seasons': 'integer', 'episodes': 'integer'
} -%}

with

originals as (
    select
        _bronze_row_id,
        original_id,
        title as title_name,
        type as title_type,
        genres as genres_json,
        budget_usd,
        budget_usd_raw,
        release_date,
        release_date_raw,
        runtime_min,
        runtime_min_raw,
        seasons,
        seasons_raw,
        episodes,
        episodes_raw,
        maturity_rating,
        updated_at,
        updated_at_raw,
        _is_valid_json,
        _raw_payload,
        _source_file,
        _ingest_date,
        _loaded_at
    from {{ ref('stg_studio__originals') }}
),

maturity_ratings as (
    select rating_code as maturity_rating from {{ ref('maturity_ratings') }}
),

parsed as (
    select
        originals.*,
        {#- A JSON array of plain names, `["Drama","Crime"]`, as the catalog's
            `Drama, Crime` list. Genre names hold no brackets, quotes or commas. -#}
        case
            when originals.genres_json like '[%]'
                then {{ dbt.replace(
                    dbt.replace(dbt.replace(dbt.replace(dbt.replace(
                        'originals.genres_json', "'['", "''"), "']'", "''"), "'\"'", "''"), "', '", "','"),
                    "','", "', '"
                ) }}
        end as genres,
        case when maturity_ratings.maturity_rating is null then 0 else 1 end as is_known_rating
    from originals
    left join maturity_ratings on originals.maturity_rating = maturity_ratings.maturity_rating
),

counted as (
    select
        parsed.*,
        case
            when trim(parsed.genres) <> ''
                then {{ dbt.length('parsed.genres') }} - {{ dbt.length(dbt.replace('parsed.genres', "','", "''")) }} + 1
            else 0
        end as genre_count
    from parsed
),

checked as (
    select
        counted.*,
        case
            when counted._is_valid_json = 0 then 'malformed'
            when
                {%- for field in required_text_fields %}
                    coalesce(counted.{{ field }}, '') = '' or
                {%- endfor %}
                {%- for field in required_typed_fields %}
                    counted.{{ field }}_raw is null{% if not loop.last %} or{% endif %}
                {%- endfor %}
                then 'missing_required'
            when
                {%- for field, logical_type in typed_fields.items() %}
                    {{ is_mistyped('counted.' ~ field, logical_type) }} or
                {%- endfor %}
                counted.genres is null
                then 'bad_type'
            when
                counted.title_type not in ('movie', 'series')
                or counted.is_known_rating = 0
                then 'invalid_enum'
            when
                counted.runtime_min <= 0
                or counted.budget_usd < 0
                or counted.seasons <= 0
                or counted.episodes <= 0
                or counted.episodes < counted.seasons
                or counted.genre_count = 0
                or counted.genre_count > {{ max_title_genres() }}
                then 'invalid_range'
            when
                counted.updated_at > {{ latest_credible_timestamp('counted._ingest_date') }}
                then 'future_timestamp'
        end as rule_reason,
        case
            when counted._is_valid_json = 0 then 'not a JSON object'
            {%- for field in required_text_fields %}
                when coalesce(counted.{{ field }}, '') = '' then '{{ field }} is missing'
            {%- endfor %}
            {%- for field in required_typed_fields %}
                when counted.{{ field }}_raw is null then '{{ field }} is missing'
            {%- endfor %}
            {%- for field, logical_type in typed_fields.items() %}
                when {{ is_mistyped('counted.' ~ field, logical_type) }}
                    then {{ dbt.concat(["'" ~ field ~ " is not a valid value: '", 'counted.' ~ field ~ '_raw']) }}
            {%- endfor %}
            when counted.genres is null
                then {{ dbt.concat(["'genres is not a JSON array: '", 'counted.genres_json']) }}
            when counted.title_type not in ('movie', 'series')
                then {{ dbt.concat(["'type is not an accepted value: '", 'counted.title_type']) }}
            when counted.is_known_rating = 0
                then {{ dbt.concat(["'maturity_rating is not a known maturity rating: '", 'counted.maturity_rating']) }}
            when counted.runtime_min <= 0
                then {{ dbt.concat(["'runtime_min is not positive: '", 'counted.runtime_min_raw']) }}
            when counted.budget_usd < 0
                then {{ dbt.concat(["'budget_usd is negative: '", 'counted.budget_usd_raw']) }}
            when counted.seasons <= 0 or counted.episodes <= 0 or counted.episodes < counted.seasons
                then {{ dbt.concat([
                    "'seasons/episodes out of range: '", 'counted.seasons_raw', "'/'", 'counted.episodes_raw'
                ]) }}
            when counted.genre_count = 0 or counted.genre_count > {{ max_title_genres() }}
                then {{ dbt.concat(["'genre count out of range: '", 'counted.genres_json']) }}
            when counted.updated_at > {{ latest_credible_timestamp('counted._ingest_date') }}
                then {{ dbt.concat(["'updated_at '", 'counted.updated_at_raw', "' is after its ingest day'"]) }}
        end as rule_detail
    from counted
),

-- Only rows that pass every rule compete for a version, so a corrupt copy
-- never displaces a clean one; the first landed copy wins.
ranked as (
    select
        checked.*,
        row_number() over (
            partition by checked.original_id, checked.updated_at, checked.rule_reason
            order by checked._loaded_at, checked._source_file, checked._bronze_row_id
        ) as copy_rank
    from checked
),

final as (
    select
        _bronze_row_id,
        original_id,
        title_name,
        {{ normalise_title('title_name') }} as normalised_title,
        title_type,
        genres,
        genre_count,
        budget_usd,
        release_date,
        year(release_date) as release_year,
        runtime_min,
        seasons as season_count,
        episodes as episode_count,
        maturity_rating,
        updated_at,
        case
            when rule_reason is not null then rule_reason
            when copy_rank > 1 then 'duplicate'
        end as quarantine_reason,
        case
            when rule_reason is not null then rule_detail
            when copy_rank > 1
                then {{ dbt.concat([
                    "'re-delivery of original_id '", 'original_id', "' version '", 'updated_at_raw',
                    "' (copy '", dbt.safe_cast('copy_rank', dbt.type_string()), "')'"
                ]) }}
        end as quarantine_detail,
        _raw_payload,
        _source_file,
        _ingest_date,
        _loaded_at
    from ranked
)

select * from final
