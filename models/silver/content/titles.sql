{#- The conformed catalog: every title of the vendor feed and of the studio,
    latest version, with its primary genre group and how often external
    sources name it. The primary genre group is the group of the first listed
    genre that says what the title is about: `International` and
    `Uncategorised` describe a market or nothing, so they are skipped unless
    the title has nothing else. -#}

with

titles as (
    select * from {{ ref('int_titles_unioned') }}
),

ranked_genres as (
    select
        title_id,
        genre_group,
        row_number() over (
            partition by title_id
            order by
                case when genre_group in ('International', 'Uncategorised') then 1 else 0 end,
                genre_position
        ) as group_rank
    from {{ ref('title_genres') }}
    where is_known_genre = 1
),

primary_genres as (
    select
        title_id,
        genre_group as primary_genre_group
    from ranked_genres
    where group_rank = 1
),

match_counts as (
    select
        title_id,
        sum(case when match_source = 'reviews' then 1 else 0 end) as review_match_count,
        sum(case when match_source = 'social' then 1 else 0 end) as social_mention_count
    from {{ ref('int_title_matches') }}
    where is_matched = 1
    group by title_id
),

final as (
    select
        -- ids
        titles.title_id,
        titles.title_source,

        -- attributes
        titles.title_name,
        titles.normalised_title,
        titles.title_type,
        titles.release_year,
        titles.genres,
        titles.genre_count,
        primary_genres.primary_genre_group,
        titles.maturity_rating,
        titles.director,
        titles.cast_members,
        titles.production_countries,
        titles.description,

        -- measures
        titles.runtime_min,
        titles.is_runtime_estimated,
        titles.season_count,
        titles.episode_count,
        titles.version_count,
        titles.is_metadata_quarantined,

        -- dates
        titles.date_added,
        titles.first_seen_date,
        titles.metadata_updated_at,

        -- match counts
        coalesce(match_counts.review_match_count, 0) as review_match_count,
        coalesce(match_counts.social_mention_count, 0) as social_mention_count
    from titles
    left join primary_genres on titles.title_id = primary_genres.title_id
    left join match_counts on titles.title_id = match_counts.title_id
)

select * from final
