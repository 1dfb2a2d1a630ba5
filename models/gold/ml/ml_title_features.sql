{#-
    Per-title features for the recommender, as of the last observed day;
    definitions in the `ml_title_feature_*` doc blocks. Completion rate and
    external score follow the title performance marts (`kpi_completion_rate`,
    `kpi_external_score`), over the last 28 days and as of the last day.
-#}
with

as_of as (
    select max(last_observed_date) as as_of_date
    from {{ ref('int_observation_months') }}
),

titles as (
    select
        title_id,
        title_type,
        primary_genre_group,
        maturity_rating,
        runtime_min,
        release_year
    from {{ ref('dim_titles') }}
),

sessions as (
    select
        fct_playback_sessions.title_id,
        fct_playback_sessions.account_id,
        fct_playback_sessions.watch_hours,
        fct_playback_sessions.is_completed
    from {{ ref('fct_playback_sessions') }} as fct_playback_sessions
    cross join as_of
    where
        fct_playback_sessions.session_date <= as_of.as_of_date
        and {{ dbt.datediff('fct_playback_sessions.session_date', 'as_of.as_of_date', 'day') }}
        < 28
),

viewing as (
    select
        title_id,
        count(distinct account_id) as viewers_28d,
        count(*) as sessions_28d,
        sum(watch_hours) as watch_hours_28d,
        sum(is_completed) as completed_sessions,
        count(is_completed) as sessions_with_known_completion
    from sessions
    group by title_id
),

social as (
    select
        social_mentions.title_id,
        count(*) as social_mentions,
        avg(social_mentions.sentiment_score) as avg_sentiment
    from {{ ref('social_mentions') }} as social_mentions
    cross join as_of
    where
        social_mentions.title_id is not null
        and cast(social_mentions.posted_at as date) <= as_of.as_of_date
    group by social_mentions.title_id
),

-- Each site's latest score of the title scraped on or before the as-of day.
ranked_scores as (
    select
        review_scores.title_id,
        review_scores.score_0_100,
        row_number() over (
            partition by review_scores.title_id, review_scores.site
            order by review_scores.scraped_at desc, review_scores.review_score_id desc
        ) as recency_rank
    from {{ ref('review_scores') }} as review_scores
    cross join as_of
    where
        review_scores.title_id is not null
        and cast(review_scores.scraped_at as date) <= as_of.as_of_date
),

external_scores as (
    select
        title_id,
        avg(score_0_100) as external_score,
        count(*) as external_score_sites
    from ranked_scores
    where recency_rank = 1
    group by title_id
),

ranked_titles as (
    select
        titles.*,
        viewing.viewers_28d,
        viewing.sessions_28d,
        viewing.watch_hours_28d,
        viewing.completed_sessions,
        viewing.sessions_with_known_completion,
        row_number() over (
            order by coalesce(viewing.watch_hours_28d, 0) desc, coalesce(viewing.viewers_28d, 0) desc, titles.title_id
        ) as popularity_rank_28d
    from titles
    left join viewing on titles.title_id = viewing.title_id
),

final as (
    select
        -- ids
        cast(ranked_titles.title_id as varchar(16)) as title_id,
        cast(as_of.as_of_date as date) as as_of_date,

        -- catalog attributes
        cast(ranked_titles.title_type as varchar(8)) as title_type,
        cast(ranked_titles.primary_genre_group as varchar(32)) as genre_group,
        cast(ranked_titles.maturity_rating as varchar(16)) as maturity_rating,
        cast(ranked_titles.runtime_min as int) as runtime_min,
        cast(ranked_titles.release_year as int) as release_year,
        cast(year(as_of.as_of_date) - ranked_titles.release_year as int) as title_age_years,

        -- popularity (last 28 days)
        cast(coalesce(ranked_titles.viewers_28d, 0) as bigint) as viewers_28d,
        cast(coalesce(ranked_titles.sessions_28d, 0) as bigint) as sessions_28d,
        cast(coalesce(ranked_titles.watch_hours_28d, 0) as decimal(18, 4)) as watch_hours_28d,
        cast(ranked_titles.popularity_rank_28d as int) as popularity_rank_28d,
        cast(
            1.0 * ranked_titles.completed_sessions / nullif(ranked_titles.sessions_with_known_completion, 0)
            as decimal(9, 6)
        ) as completion_rate_28d,

        -- reception
        cast(coalesce(social.social_mentions, 0) as bigint) as social_mentions,
        cast(social.avg_sentiment as decimal(9, 6)) as avg_sentiment,
        cast(external_scores.external_score as decimal(9, 4)) as external_score,
        cast(coalesce(external_scores.external_score_sites, 0) as int) as external_score_sites
    from ranked_titles
    cross join as_of
    left join social on ranked_titles.title_id = social.title_id
    left join external_scores on ranked_titles.title_id = external_scores.title_id
)

select * from final
