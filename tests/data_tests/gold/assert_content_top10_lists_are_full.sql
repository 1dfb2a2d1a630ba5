{#-
    Every top-10 list, daily and weekly, is as long as it can be: per country
    and period it holds min(10, titles with hours viewed above 0 there and
    then in fct_playback_sessions) rows, and every country-period with such a
    title has a list. (That its ranks run 1..n by hours viewed is the
    `ranks_are_gapless` test on each mart.) Returns one row per country-period
    whose list is missing, too short or too long.
-#}
{%- set marts = {'day': 'mart_top10_titles_daily', 'week': 'mart_top10_titles_weekly'} %}
with
{% for grain, mart in marts.items() %}
    {%- set period = activity_period(grain).column %}
    {{ grain }}_lists as (
        select
            {{ period }} as period_start,
            country_code,
            count(*) as listed_titles
        from {{ ref(mart) }}
        group by
            {{ period }},
            country_code
    ),

    {{ grain }}_title_hours as (
        select
            {{ period_start(grain, 'session_date') }} as period_start,
            country_code,
            title_id,
            sum(watch_hours) as hours_viewed
        from {{ ref('fct_playback_sessions') }}
        group by
            {{ period_start(grain, 'session_date') }},
            country_code,
            title_id
    ),

    {{ grain }}_watched as (
        select
            period_start,
            country_code,
            count(*) as titles_watched
        from {{ grain }}_title_hours
        where hours_viewed > 0
        group by
            period_start,
            country_code
    ),

    {{ grain }}_failures as (
        select
            '{{ grain }}' as grain,
            coalesce({{ grain }}_lists.period_start, {{ grain }}_watched.period_start) as period_start,
            coalesce({{ grain }}_lists.country_code, {{ grain }}_watched.country_code) as country_code,
            coalesce({{ grain }}_lists.listed_titles, 0) as listed_titles,
            coalesce({{ grain }}_watched.titles_watched, 0) as titles_watched
        from {{ grain }}_lists
        full outer join {{ grain }}_watched
            on
                {{ grain }}_lists.period_start = {{ grain }}_watched.period_start
                and {{ grain }}_lists.country_code = {{ grain }}_watched.country_code
        where
            {{ grain }}_lists.period_start is null
            or {{ grain }}_watched.period_start is null
            or {{ grain }}_lists.listed_titles
            <> case when {{ grain }}_watched.titles_watched < 10 then {{ grain }}_watched.titles_watched else 10 end
    ){{ ',' if not loop.last }}
{% endfor %}
select * from day_failures
union all
select * from week_failures
