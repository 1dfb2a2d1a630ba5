{#-
    The conformed catalog with the runtime that turns hours viewed into
    views (see the `kpi_views` doc block): a movie's runtime; a series' total
    runtime (episode runtime × episodes) when the episode count is known;
    otherwise, as for vendor series whose catalog gives only seasons, one
    episode's runtime, so their views count episode-equivalents.
    Long free text (cast, synopsis) stays in Silver.
-#}
with

titles as (
    select * from {{ ref('titles') }}
),

with_views_runtime as (
    select
        *,
        case
            when title_type = 'series' and episode_count > 0 then runtime_min * episode_count
            else runtime_min
        end as views_runtime_min,
        case
            when runtime_min is null then null
            when title_type = 'series' and episode_count > 0 then 'series_total'
            when title_type = 'series' then 'series_episode'
            else 'title'
        end as views_runtime_basis
    from titles
),

final as (
    select
        -- ids
        cast(title_id as varchar(16)) as title_id,

        -- attributes
        cast(title_source as varchar(8)) as title_source,
        cast(title_name as varchar(256)) as title_name,
        cast(title_type as varchar(8)) as title_type,
        cast(release_year as int) as release_year,
        cast(genres as varchar(512)) as genres,
        cast(primary_genre_group as varchar(32)) as primary_genre_group,
        cast(maturity_rating as varchar(16)) as maturity_rating,
        cast(is_metadata_quarantined as int) as is_metadata_quarantined,

        -- measures
        cast(runtime_min as int) as runtime_min,
        cast(is_runtime_estimated as int) as is_runtime_estimated,
        cast(season_count as int) as season_count,
        cast(episode_count as int) as episode_count,
        cast(views_runtime_min as int) as views_runtime_min,
        cast(views_runtime_basis as varchar(16)) as views_runtime_basis,

        -- dates
        cast(date_added as date) as date_added,
        cast(first_seen_date as date) as first_seen_date
    from with_views_runtime
)

select * from final
