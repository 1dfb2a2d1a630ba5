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
{%- set rules = [('malformed', 'counted._is_valid_json = 0', "'not a JSON object'")]
    + missing_rules(required_text_fields, "coalesce(counted.{}, '') = ''")
    + missing_rules(required_typed_fields, 'counted.{}_raw is null')
    + mistyped_rules(typed_fields, 'counted')
    + [
        ('bad_type', 'counted.genres is null', ["'genres is not a JSON array: '", 'counted.genres_json']),
        ('invalid_enum', "counted.title_type not in ('movie', 'series')",
            ["'type is not an accepted value: '", 'counted.title_type']),
        ('invalid_enum', 'counted.is_known_rating = 0',
            ["'maturity_rating is not a known maturity rating: '", 'counted.maturity_rating']),
        ('invalid_range', 'counted.runtime_min <= 0', ["'runtime_min is not positive: '", 'counted.runtime_min_raw']),
        ('invalid_range', 'counted.budget_usd < 0', ["'budget_usd is negative: '", 'counted.budget_usd_raw']),
        ('invalid_range', 'counted.seasons <= 0 or counted.episodes <= 0 or counted.episodes < counted.seasons',
            ["'seasons/episodes out of range: '", 'counted.seasons_raw', "'/'", 'counted.episodes_raw']),
        ('invalid_range', 'counted.genre_count = 0 or counted.genre_count > ' ~ max_title_genres(),
            ["'genre count out of range: '", 'counted.genres_json']),
        ('future_timestamp', 'counted.updated_at > ' ~ latest_credible_timestamp('counted._ingest_date'),
            ["'updated_at '", 'counted.updated_at_raw', "' is after its ingest day'"]),
    ]
-%}

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
        {{ validation_columns(rules) }}
    from counted
),

-- Only rows that pass every rule compete for a version, so a corrupt copy
-- never displaces a clean one; the first landed copy wins.
ranked as (
    {{ ranked_deliveries('checked', ['original_id', 'updated_at']) }}
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
        {{ quarantine_columns([('duplicate', 'delivery_rank > 1', [
            "'re-delivery of original_id '", 'original_id', "' version '", 'updated_at_raw',
            "' (copy '", dbt.safe_cast('delivery_rank', dbt.type_string()), "')'"
        ])]) }},
        _raw_payload,
        _source_file,
        _ingest_date,
        _loaded_at
    from ranked
)

select * from final
