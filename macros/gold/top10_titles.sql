{#-
    The top-10 titles mart at one grain (`activity_period`: day or week): the
    ten titles with the most hours viewed per country (where watched) and
    period. Ties rank by title_id so the list is the same on every run and
    engine; a country-period with fewer than ten titles above zero hours has
    fewer rows.
-#}
{% macro top10_titles(grain) -%}
{%- set period = activity_period(grain).column -%}
with

titles as (
    select
        title_id,
        title_name
    from {{ ref('dim_titles') }}
),

title_viewing as (
    select
        {{ period_start(grain, 'session_date') }} as {{ period }},
        country_code,
        title_id,
        sum(watch_hours) as hours_viewed,
        count(distinct account_id) as unique_viewers
    from {{ ref('fct_playback_sessions') }}
    group by
        {{ period_start(grain, 'session_date') }},
        country_code,
        title_id
),

ranked as (
    select
        *,
        row_number() over (
            partition by {{ period }}, country_code
            order by hours_viewed desc, title_id asc
        ) as title_rank
    from title_viewing
    where hours_viewed > 0
),

final as (
    select
        cast(ranked.{{ period }} as date) as {{ period }},
        cast(ranked.country_code as varchar(2)) as country_code,
        cast(ranked.title_rank as int) as title_rank,
        cast(ranked.title_id as varchar(16)) as title_id,
        cast(titles.title_name as varchar(256)) as title_name,
        cast(ranked.hours_viewed as decimal(18, 4)) as hours_viewed,
        cast(ranked.unique_viewers as bigint) as unique_viewers
    from ranked
    left join titles on ranked.title_id = titles.title_id
    where ranked.title_rank <= 10
)

select * from final
{%- endmacro %}
