{#-
    Every landed row of the vendor catalog once, typed and cleaned, with the
    first rule it breaks (quarantine_reason, NULL when clean). Rules in
    priority order:
    malformed > shifted_columns > missing_required > bad_type > invalid_enum
    > invalid_range > duplicate.
    shifted_columns comes before missing_required on purpose: a row whose
    duration slid into `rating` always also lacks its `duration`, and the
    shift, not the gap, is what the feed got wrong.
    Duplicates: a row with the content of an earlier row of the same show
    (a re-send, in the same or a later file), or a second, different row of
    the show in one file. A later file with changed content is a new version
    of the title (a re-rating, a new synopsis). A change reverted to the
    exact content of an earlier version cannot be told apart from a re-send
    and is treated as one.
-#}
{%- set required_text_fields = ['show_id', 'vendor_type', 'title_name', 'duration', 'listed_in'] -%}
{#- Columns a drifted change file may lack; a file without any value in one
    of them is taken to lack the column. -#}
{%- set optional_columns = ['director', 'cast_members', 'country', 'date_added', 'rating', 'description'] -%}
{#- `cast,description,` style text of the columns a file lacks, named as
    landed; concat_ws is not on every engine, so the trailing comma is cut
    off in the final select. -#}
{%- set missing_column_parts = [] -%}
{%- for column in optional_columns -%}
    {%- do missing_column_parts.append(
        "case when file_columns." ~ column ~ "_values = 0 then '"
        ~ ('cast' if column == 'cast_members' else column) ~ ",' else '' end"
    ) -%}
{%- endfor -%}
{%- set rules = [
        ('malformed', 'parsed._intake_issue is not null', ["'unreadable row: '", 'parsed._intake_issue']),
        ('shifted_columns', "parsed.is_duration_in_rating = 1 and coalesce(parsed.duration, '') = ''",
            ["'duration found in rating: '", 'parsed.rating']),
    ]
    + missing_rules(required_text_fields, "coalesce(parsed.{}, '') = ''")
    + missing_rules(['release_year'], 'parsed.{}_raw is null')
    + mistyped_rules({'release_year': 'integer'}, 'parsed')
    + [
        ('bad_type', 'parsed.date_added_raw is not null and parsed.date_added is null',
            ["'date_added is not a valid date: '", 'parsed.date_added_raw']),
        ('bad_type', 'parsed.runtime_min is null and parsed.season_count is null',
            ["'duration is neither minutes nor seasons: '", 'parsed.duration']),
        ('invalid_enum', "parsed.vendor_type not in ('Movie', 'TV Show')",
            ["'type is not an accepted value: '", 'parsed.vendor_type']),
        ('invalid_enum', 'parsed.rating is not null and parsed.is_known_rating = 0',
            ["'rating is not a known maturity rating: '", 'parsed.rating']),
        ('invalid_range', 'parsed.release_year < 1900 or parsed.release_year > year(parsed._ingest_date) + 1',
            ["'release_year out of range: '", 'parsed.release_year_raw']),
        ('invalid_range', 'parsed.runtime_min <= 0 or parsed.season_count <= 0',
            ["'duration is not positive: '", 'parsed.duration']),
        ('invalid_range', 'parsed.genre_count > ' ~ max_title_genres(),
            ["'more than " ~ max_title_genres() ~ " genres: '", 'parsed.listed_in']),
        ('invalid_range', "parsed.vendor_type = 'Movie' and parsed.runtime_min is null",
            ["'a movie with a duration in seasons: '", 'parsed.duration']),
        ('invalid_range', "parsed.vendor_type = 'TV Show' and parsed.season_count is null",
            ["'a show with a duration in minutes: '", 'parsed.duration']),
    ]
-%}

with

catalog as (
    select
        _bronze_row_id,
        show_id,
        type as vendor_type,
        title as title_name,
        director,
        cast_members,
        country,
        date_added as date_added_raw,
        {{ parse_vendor_date('date_added') }} as date_added,
        release_year,
        release_year_raw,
        rating,
        duration,
        listed_in,
        description,
        _raw_payload,
        _intake_issue,
        _source_file,
        _ingest_date,
        _loaded_at
    from {{ ref('stg_vendor__catalog_titles') }}
),

maturity_ratings as (
    select rating_code as maturity_rating from {{ ref('maturity_ratings') }}
),

-- Which optional columns each file carries at all: the drift check.
file_columns as (
    select
        _source_file,
        {%- for column in optional_columns %}
            count({{ column }}) as {{ column }}_values{% if not loop.last %},{% endif %}
        {%- endfor %}
    from catalog
    group by _source_file
),

parsed as (
    select
        catalog.*,
        case
            when catalog.duration like '% min'
                then {{ dbt.safe_cast(dbt.replace('catalog.duration', "' min'", "''"), dbt.type_bigint()) }}
        end as runtime_min,
        case
            when catalog.duration like '% Seasons' or catalog.duration like '% Season'
                then {{ dbt.safe_cast(
                    dbt.replace(dbt.replace('catalog.duration', "' Seasons'", "''"), "' Season'", "''"),
                    dbt.type_bigint()
                ) }}
        end as season_count,
        case
            when catalog.rating like '% min' or catalog.rating like '% Season' or catalog.rating like '% Seasons'
                then 1
            else 0
        end as is_duration_in_rating,
        {{ dbt.length('catalog.listed_in') }}
        - {{ dbt.length(dbt.replace('catalog.listed_in', "','", "''")) }} + 1 as genre_count,
        case when maturity_ratings.maturity_rating is null then 0 else 1 end as is_known_rating,
        case
            when
                {%- for column in optional_columns %}
                    file_columns.{{ column }}_values = 0{% if not loop.last %} or{% endif %}
                {%- endfor %}
                then 1
            else 0
        end as is_schema_drift_batch,
        {{ dbt.concat(missing_column_parts) }} as missing_columns_list
    from catalog
    left join maturity_ratings on catalog.rating = maturity_ratings.maturity_rating
    inner join file_columns on catalog._source_file = file_columns._source_file
),

checked as (
    select
        parsed.*,
        {{ dbt.hash('parsed._raw_payload') }} as content_hash,
        {{ validation_columns(rules) }}
    from parsed
),

-- Only rows that pass every rule compete, so a corrupt copy never displaces
-- a clean one. A row with the same content as an earlier clean row of the
-- show (in an earlier file, or earlier in the same file) is a re-send.
content_ranked as (
    {{ ranked_deliveries('checked', ['show_id', 'content_hash']) }}
),

-- Two different rows of a show in one file: the file gives no order
-- (Bronze keeps no line numbers), so the lowest _bronze_row_id is kept,
-- which is arbitrary but the same on every run.
versioned as (
    {{ ranked_deliveries('content_ranked', ['show_id', '_ingest_date', 'delivery_rank'], rank_as='file_rank') }}
),

final as (
    select
        _bronze_row_id,
        show_id,
        case vendor_type when 'Movie' then 'movie' when 'TV Show' then 'series' end as title_type,
        title_name,
        {{ normalise_title('title_name') }} as normalised_title,
        release_year,
        director,
        cast_members,
        country as production_countries,
        date_added,
        date_added_raw,
        case when is_duration_in_rating = 1 then null else rating end as maturity_rating,
        duration as duration_raw,
        runtime_min,
        season_count,
        {#- One canonical `, ` delimiter, whatever spacing the vendor used. -#}
        {{ dbt.replace(dbt.replace('listed_in', "', '", "','"), "','", "', '") }} as genres,
        genre_count,
        description,
        is_schema_drift_batch,
        case
            when missing_columns_list <> ''
                then left(missing_columns_list, {{ dbt.length('missing_columns_list') }} - 1)
        end as missing_columns,
        {{ quarantine_columns([
            ('duplicate', 'delivery_rank > 1', [
                "'show_id '", 'show_id', "' re-sent unchanged in the file of '",
                dbt.safe_cast('_ingest_date', dbt.type_string())
            ]),
            ('duplicate', 'file_rank > 1', [
                "'show_id '", 'show_id', "' sent twice in the file of '",
                dbt.safe_cast('_ingest_date', dbt.type_string())
            ]),
        ]) }},
        _raw_payload,
        _source_file,
        _ingest_date,
        _loaded_at
    from versioned
)

select * from final
