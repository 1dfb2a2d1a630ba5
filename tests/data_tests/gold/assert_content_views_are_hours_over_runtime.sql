{#-
    Views follow their definition on every row of both title performance
    marts: hours viewed / (views_runtime_min / 60), to the column's 4
    decimals, and NULL exactly when the title's runtime is unknown or 0.
    Returns one row per title-period whose views disagree.
-#}
with

titles as (
    select
        title_id,
        views_runtime_min
    from {{ ref('dim_titles') }}
),

mart_rows as (
    select
        'daily' as mart_grain,
        title_id,
        activity_date as period_start,
        hours_viewed,
        views
    from {{ ref('mart_title_performance_daily') }}
    union all
    select
        'weekly' as mart_grain,
        title_id,
        activity_week as period_start,
        hours_viewed,
        views
    from {{ ref('mart_title_performance_weekly') }}
),

expected as (
    select
        mart_rows.*,
        case
            when titles.views_runtime_min > 0 then mart_rows.hours_viewed / (titles.views_runtime_min / 60.0)
        end as expected_views
    from mart_rows
    left join titles on mart_rows.title_id = titles.title_id
)

select * from expected
where
    (views is null and expected_views is not null)
    or (views is not null and expected_views is null)
    or abs(views - expected_views) > 0.0001
