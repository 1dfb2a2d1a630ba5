{#-
    Top-10 ranks per country and ISO week are exactly 1..n with no gaps or
    repeats, n = min(10, titles with hours viewed above 0 there and then in
    fct_playback_sessions), and hours viewed never rise as the rank falls.
    Returns one row per broken country-period or out-of-order rank.
-#}
with

ranks as (
    select
        activity_week as period_start,
        country_code,
        title_rank,
        hours_viewed,
        lag(hours_viewed) over (
            partition by activity_week, country_code order by title_rank
        ) as higher_rank_hours_viewed
    from {{ ref('mart_top10_titles_weekly') }}
),

rank_sets as (
    select
        period_start,
        country_code,
        count(*) as ranked_titles,
        count(distinct title_rank) as distinct_ranks,
        min(title_rank) as first_rank,
        max(title_rank) as last_rank
    from ranks
    group by
        period_start,
        country_code
),

title_hours as (
    select
        {{ week_start('session_date') }} as period_start,
        country_code,
        title_id,
        sum(watch_hours) as hours_viewed
    from {{ ref('fct_playback_sessions') }}
    group by
        {{ week_start('session_date') }},
        country_code,
        title_id
),

watched_titles as (
    select
        period_start,
        country_code,
        count(*) as titles_watched
    from title_hours
    where hours_viewed > 0
    group by
        period_start,
        country_code
),

rank_set_failures as (
    select
        coalesce(rank_sets.period_start, watched_titles.period_start) as period_start,
        coalesce(rank_sets.country_code, watched_titles.country_code) as country_code,
        'ranks are not 1..n with n = min(10, titles watched)' as failure
    from rank_sets
    full outer join watched_titles
        on
            rank_sets.period_start = watched_titles.period_start
            and rank_sets.country_code = watched_titles.country_code
    where
        rank_sets.period_start is null
        or watched_titles.period_start is null
        or rank_sets.first_rank <> 1
        or rank_sets.last_rank <> rank_sets.ranked_titles
        or rank_sets.distinct_ranks <> rank_sets.ranked_titles
        or rank_sets.ranked_titles > 10
        or (watched_titles.titles_watched < 10 and rank_sets.ranked_titles <> watched_titles.titles_watched)
        or (watched_titles.titles_watched >= 10 and rank_sets.ranked_titles <> 10)
),

order_failures as (
    select
        period_start,
        country_code,
        'hours viewed rise as the rank falls' as failure
    from ranks
    where hours_viewed > higher_rank_hours_viewed
)

select * from rank_set_failures
union all
select * from order_failures
