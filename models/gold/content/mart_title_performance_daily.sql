{#-
    Title performance per UTC day: a row for every title watched or mentioned
    on social media that day. KPI formulas are in the `kpi_*` doc blocks
    (_content__docs.md). The external score is as of the end of the day:
    per review site the latest score scraped on or before it, averaged over
    the sites that have one.
-#}
with

sessions as (
    select
        title_id,
        session_date as activity_date,
        account_id,
        watch_hours,
        is_completed
    from {{ ref('fct_playback_sessions') }}
),

titles as (
    select
        title_id,
        views_runtime_min
    from {{ ref('dim_titles') }}
),

mentions as (
    select
        title_id,
        cast(posted_at as date) as activity_date,
        sentiment_score
    from {{ ref('social_mentions') }}
    where title_id is not null
),

-- Each site's score of a title holds from the day it was scraped until the
-- day of the next scrape (same-day rescrapes: the latest wins).
score_validity as (
    select
        title_id,
        site,
        score_0_100,
        cast(scraped_at as date) as valid_from_date,
        lead(cast(scraped_at as date)) over (
            partition by title_id, site order by scraped_at, review_score_id
        ) as valid_until_date
    from {{ ref('review_scores') }}
    where title_id is not null
),

viewing as (
    select
        title_id,
        activity_date,
        count(*) as sessions,
        count(distinct account_id) as unique_viewers,
        sum(watch_hours) as hours_viewed,
        sum(is_completed) as completed_sessions,
        count(is_completed) as sessions_with_known_completion
    from sessions
    group by
        title_id,
        activity_date
),

title_mentions as (
    select
        title_id,
        activity_date,
        count(*) as social_mentions,
        avg(sentiment_score) as avg_sentiment
    from mentions
    group by
        title_id,
        activity_date
),

title_days as (
    select
        title_id,
        activity_date
    from viewing
    union
    select
        title_id,
        activity_date
    from title_mentions
),

external_scores as (
    select
        title_days.title_id,
        title_days.activity_date,
        avg(score_validity.score_0_100) as external_score,
        count(*) as external_score_sites
    from title_days
    inner join score_validity
        on
            title_days.title_id = score_validity.title_id
            and title_days.activity_date >= score_validity.valid_from_date
            and (score_validity.valid_until_date is null or title_days.activity_date < score_validity.valid_until_date)
    group by
        title_days.title_id,
        title_days.activity_date
),

final as (
    select
        cast(title_days.activity_date as date) as activity_date,
        cast(title_days.title_id as varchar(16)) as title_id,
        cast(coalesce(viewing.sessions, 0) as bigint) as sessions,
        cast(coalesce(viewing.unique_viewers, 0) as bigint) as unique_viewers,
        cast(coalesce(viewing.hours_viewed, 0) as decimal(18, 4)) as hours_viewed,
        -- `views` is the industry's name for the KPI and is reserved on none of the three engines.
        cast(
            case
                when titles.views_runtime_min > 0
                    then coalesce(viewing.hours_viewed, 0) / (titles.views_runtime_min / 60.0)
            end
            as decimal(18, 4)
        ) as views,
        cast(
            1.0 * viewing.completed_sessions / nullif(viewing.sessions_with_known_completion, 0)
            as decimal(9, 6)
        ) as completion_rate,
        cast(coalesce(title_mentions.social_mentions, 0) as bigint) as social_mentions,
        cast(title_mentions.avg_sentiment as decimal(9, 6)) as avg_sentiment,
        cast(external_scores.external_score as decimal(9, 4)) as external_score,
        cast(coalesce(external_scores.external_score_sites, 0) as int) as external_score_sites
    from title_days
    left join viewing
        on title_days.title_id = viewing.title_id and title_days.activity_date = viewing.activity_date
    left join title_mentions
        on title_days.title_id = title_mentions.title_id and title_days.activity_date = title_mentions.activity_date
    left join external_scores
        on title_days.title_id = external_scores.title_id and title_days.activity_date = external_scores.activity_date
    left join titles on title_days.title_id = titles.title_id
)

select * from final
