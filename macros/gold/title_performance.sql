{#-
    The title performance mart at one grain (`activity_period`: day or week):
    a row for every title watched or mentioned on social media in the
    period. Every KPI is recomputed over the period's sessions and mentions
    (unique viewers and rates do not add up from shorter periods); formulas
    in the `kpi_*` doc blocks. The external score is as of the period's last
    day: per review site the latest score scraped on or before it, averaged
    over the sites that have one.
-#}
{% macro title_performance(grain) -%}
{%- set period = activity_period(grain).column -%}
with

sessions as (
    select
        {{ period_start(grain, 'session_date') }} as {{ period }},
        title_id,
        account_id,
        watch_hours,
        is_completed
    from {{ ref('fct_playback_sessions') }}
),

titles as (
    select
        title_id,
        views_runtime_min / 60.0 as views_runtime_hours
    from {{ ref('dim_titles') }}
),

mentions as (
    select
        title_id,
        {{ period_start(grain, 'cast(posted_at as date)') }} as {{ period }},
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
        {{ period }},
        count(*) as sessions,
        count(distinct account_id) as unique_viewers,
        sum(watch_hours) as hours_viewed,
        1.0 * sum(is_completed) / nullif(count(is_completed), 0) as completion_rate
    from sessions
    group by
        title_id,
        {{ period }}
),

title_mentions as (
    select
        title_id,
        {{ period }},
        count(*) as social_mentions,
        avg(sentiment_score) as avg_sentiment
    from mentions
    group by
        title_id,
        {{ period }}
),

active_title_periods as (
    select
        title_id,
        {{ period }}
    from viewing
    union
    select
        title_id,
        {{ period }}
    from title_mentions
),

title_periods as (
    select
        title_id,
        {{ period }},
        {{ period_end(grain, period) }} as period_end_date
    from active_title_periods
),

external_scores as (
    select
        title_periods.title_id,
        title_periods.{{ period }},
        avg(score_validity.score_0_100) as external_score,
        count(*) as external_score_sites
    from title_periods
    inner join score_validity
        on
            title_periods.title_id = score_validity.title_id
            and title_periods.period_end_date >= score_validity.valid_from_date
            and (
                score_validity.valid_until_date is null
                or title_periods.period_end_date < score_validity.valid_until_date
            )
    group by
        title_periods.title_id,
        title_periods.{{ period }}
),

final as (
    select
        cast(title_periods.{{ period }} as date) as {{ period }},
        cast(title_periods.title_id as varchar(16)) as title_id,
        cast(coalesce(viewing.sessions, 0) as bigint) as sessions,
        cast(coalesce(viewing.unique_viewers, 0) as bigint) as unique_viewers,
        cast(coalesce(viewing.hours_viewed, 0) as decimal(18, 4)) as hours_viewed,
        -- `views` is the industry's name for the KPI and is reserved on none of the three engines.
        cast(
            case
                when titles.views_runtime_hours > 0
                    then coalesce(viewing.hours_viewed, 0) / titles.views_runtime_hours
            end
            as decimal(18, 4)
        ) as views,
        cast(viewing.completion_rate as decimal(9, 6)) as completion_rate,
        cast(coalesce(title_mentions.social_mentions, 0) as bigint) as social_mentions,
        cast(title_mentions.avg_sentiment as decimal(9, 6)) as avg_sentiment,
        cast(external_scores.external_score as decimal(9, 4)) as external_score,
        cast(coalesce(external_scores.external_score_sites, 0) as int) as external_score_sites
    from title_periods
    left join viewing
        on title_periods.title_id = viewing.title_id and title_periods.{{ period }} = viewing.{{ period }}
    left join title_mentions
        on
            title_periods.title_id = title_mentions.title_id
            and title_periods.{{ period }} = title_mentions.{{ period }}
    left join external_scores
        on
            title_periods.title_id = external_scores.title_id
            and title_periods.{{ period }} = external_scores.{{ period }}
    left join titles on title_periods.title_id = titles.title_id
)

select * from final
{%- endmacro %}
