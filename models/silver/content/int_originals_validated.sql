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
{%- set typed_fields = {
    'budget_usd': 'decimal', 'release_date': 'date', 'runtime_min': 'integer', 'updated_at': 'timestamp',
    'seasons': 'integer', 'episodes': 'integer'
} -%}
{%- set rules = [('malformed', '_is_valid_json = 0', "'not a JSON object'")]
    + field_rules(
        ['original_id', 'title_name', 'title_type', 'genres_json', 'maturity_rating'],
        ['budget_usd', 'release_date', 'runtime_min', 'updated_at'],
        typed_fields
    )
    + [
        ('bad_type', 'genres is null', ["'genres is not a JSON array: '", 'genres_json']),
        ('invalid_enum', "title_type not in ('movie', 'series')", ["'type is not an accepted value: '", 'title_type']),
        ('invalid_enum', 'is_known_rating = 0',
            ["'maturity_rating is not a known maturity rating: '", 'maturity_rating']),
        ('invalid_range', 'runtime_min <= 0', ["'runtime_min is not positive: '", 'runtime_min_raw']),
        ('invalid_range', 'budget_usd < 0', ["'budget_usd is negative: '", 'budget_usd_raw']),
        ('invalid_range', 'seasons <= 0 or episodes <= 0 or episodes < seasons',
            ["'seasons/episodes out of range: '", 'seasons_raw', "'/'", 'episodes_raw']),
        ('invalid_range', 'genre_count = 0 or genre_count > ' ~ max_title_genres(),
            ["'genre count out of range: '", 'genres_json']),
    ]
    + future_timestamp_rules(['updated_at'], ["'{} '", '{}_raw', "' is after its ingest day'"])
-%}

with

originals as (
    select
        _bronze_row_id,
        _is_valid_json,
        original_id,
        title as title_name,
        type as title_type,
        genres as genres_json,
        maturity_rating,
        {{ typed_columns(none, typed_fields) }},
        {{ landed_row_columns() }}
    from {{ ref('stg_studio__originals') }}
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
        case when maturity_ratings.rating_code is null then 0 else 1 end as is_known_rating
    from originals
    left join {{ ref('maturity_ratings') }} as maturity_ratings
        on originals.maturity_rating = maturity_ratings.rating_code
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

-- A line per original and updated_at is one version; its first clean landing is kept.
{{ validated_rows(
    'counted',
    rules,
    ['original_id', 'updated_at'],
    [
        'original_id', 'title_name', normalise_title('title_name') ~ ' as normalised_title', 'title_type', 'genres',
        'genre_count', 'budget_usd', 'release_date', 'year(release_date) as release_year', 'runtime_min',
        'seasons as season_count', 'episodes as episode_count', 'maturity_rating', 'updated_at'
    ],
    redelivery=["'re-delivery of original_id '", 'original_id', "' version '", 'updated_at_raw'],
) }}
