{#-
    The latest clean version of every title from both catalogs, on one set of
    columns. Vendor: the row of the latest weekly file naming the show; where
    that file lacked a column (schema drift), the value comes from the latest
    version whose file had it, because a column left out of a file is unknown,
    not emptied. Studio: the version with the latest updated_at.
    Vendor series carry no episode runtime (the catalog gives seasons only),
    so their runtime_min is the estimate var('default_episode_runtime_min')
    and is_runtime_estimated = 1.
    A title every landed version of which was quarantined still exists (the
    feed named it; playback, ratings and license windows refer to it), so it
    gets a placeholder row: its id and source, is_metadata_quarantined = 1,
    every attribute NULL. Facts about it then stay joinable instead of
    turning into orphans, and its metadata stays out until a clean version
    lands.
-#}
{%- set drift_columns = [
    'director', 'cast_members', 'production_countries', 'date_added', 'maturity_rating', 'description'
] -%}
{%- set landed_name = {'cast_members': 'cast', 'production_countries': 'country', 'maturity_rating': 'rating'} -%}

with

vendor_versions as (
    select
        vendor_titles.*,
        row_number() over (
            partition by vendor_titles.show_id
            order by
                vendor_titles._ingest_date desc,
                vendor_titles._loaded_at desc,
                vendor_titles._source_file desc,
                vendor_titles._bronze_row_id desc
        ) as recency_rank,
        row_number() over (
            partition by vendor_titles.show_id, vendor_titles.is_schema_drift_batch
            order by
                vendor_titles._ingest_date desc,
                vendor_titles._loaded_at desc,
                vendor_titles._source_file desc,
                vendor_titles._bronze_row_id desc
        ) as recency_rank_in_kind,
        count(*) over (partition by vendor_titles.show_id) as version_count,
        min(vendor_titles._ingest_date) over (partition by vendor_titles.show_id) as first_seen_date
    from {{ ref('vendor_titles') }} as vendor_titles
),

vendor_latest as (
    select * from vendor_versions
    where recency_rank = 1
),

vendor_latest_full as (
    select * from vendor_versions
    where is_schema_drift_batch = 0 and recency_rank_in_kind = 1
),

vendor as (
    select
        vendor_latest.show_id as title_id,
        'vendor' as title_source,
        vendor_latest.title_name,
        vendor_latest.normalised_title,
        vendor_latest.release_year,
        vendor_latest.title_type,
        vendor_latest.genres,
        vendor_latest.genre_count,
        {%- for column in drift_columns %}
            case
                when {{ dbt.position(
                "'," ~ landed_name.get(column, column) ~ ",'",
                dbt.concat(["','", "coalesce(vendor_latest.missing_columns, '')", "','"])
            ) }} > 0
                    then vendor_latest_full.{{ column }}
                else vendor_latest.{{ column }}
            end as {{ column }},
        {%- endfor %}
        coalesce(
            vendor_latest.runtime_min,
            case when vendor_latest.title_type = 'series' then {{ var('default_episode_runtime_min', 45) }} end
        ) as runtime_min,
        case when vendor_latest.runtime_min is null then 1 else 0 end as is_runtime_estimated,
        vendor_latest.season_count,
        {{ dbt.safe_cast('null', dbt.type_bigint()) }} as episode_count,
        vendor_latest._loaded_at as metadata_updated_at,
        vendor_latest.first_seen_date,
        vendor_latest.version_count,
        0 as is_metadata_quarantined
    from vendor_latest
    left join vendor_latest_full on vendor_latest.show_id = vendor_latest_full.show_id
),

studio_versions as (
    select
        originals.*,
        row_number() over (
            partition by originals.original_id
            order by originals.updated_at desc, originals._ingest_date desc, originals._bronze_row_id desc
        ) as recency_rank,
        count(*) over (partition by originals.original_id) as version_count,
        min(originals._ingest_date) over (partition by originals.original_id) as first_seen_date
    from {{ ref('originals') }} as originals
),

studio as (
    select
        original_id as title_id,
        'studio' as title_source,
        title_name,
        normalised_title,
        release_year,
        title_type,
        genres,
        genre_count,
        {{ dbt.safe_cast('null', dbt.type_string()) }} as director,
        {{ dbt.safe_cast('null', dbt.type_string()) }} as cast_members,
        {{ dbt.safe_cast('null', dbt.type_string()) }} as production_countries,
        release_date as date_added,
        maturity_rating,
        {{ dbt.safe_cast('null', dbt.type_string()) }} as description,
        runtime_min,
        0 as is_runtime_estimated,
        season_count,
        episode_count,
        updated_at as metadata_updated_at,
        first_seen_date,
        version_count,
        0 as is_metadata_quarantined
    from studio_versions
    where recency_rank = 1
),

rejected_versions as (
    select
        show_id as title_id,
        'vendor' as title_source,
        _ingest_date
    from {{ ref('int_vendor_titles_validated') }}
    where quarantine_reason is not null and coalesce(show_id, '') <> ''
    union all
    select
        original_id as title_id,
        'studio' as title_source,
        _ingest_date
    from {{ ref('int_originals_validated') }}
    where quarantine_reason is not null and coalesce(original_id, '') <> ''
),

clean_title_ids as (
    select title_id from vendor
    union all
    select title_id from studio
),

quarantined_only as (
    select
        rejected_versions.title_id,
        rejected_versions.title_source,
        min(rejected_versions._ingest_date) as first_seen_date
    from rejected_versions
    left join clean_title_ids on rejected_versions.title_id = clean_title_ids.title_id
    where clean_title_ids.title_id is null
    group by rejected_versions.title_id, rejected_versions.title_source
),

placeholders as (
    select
        title_id,
        title_source,
        {%- for column in ['title_name', 'normalised_title'] %}
            cast(null as {{ dbt.type_string() }}) as {{ column }},
        {%- endfor %}
        cast(null as {{ dbt.type_bigint() }}) as release_year,
        {%- for column in ['title_type', 'genres'] %}
            cast(null as {{ dbt.type_string() }}) as {{ column }},
        {%- endfor %}
        cast(null as {{ dbt.type_bigint() }}) as genre_count,
        {%- for column in ['director', 'cast_members', 'production_countries'] %}
            cast(null as {{ dbt.type_string() }}) as {{ column }},
        {%- endfor %}
        cast(null as date) as date_added,
        {%- for column in ['maturity_rating', 'description'] %}
            cast(null as {{ dbt.type_string() }}) as {{ column }},
        {%- endfor %}
        cast(null as {{ dbt.type_bigint() }}) as runtime_min,
        0 as is_runtime_estimated,
        cast(null as {{ dbt.type_bigint() }}) as season_count,
        cast(null as {{ dbt.type_bigint() }}) as episode_count,
        cast(null as {{ dbt.type_timestamp() }}) as metadata_updated_at,
        first_seen_date,
        0 as version_count,
        1 as is_metadata_quarantined
    from quarantined_only
),

unioned as (
    select * from vendor
    union all
    select * from studio
    union all
    select * from placeholders
)

select * from unioned
