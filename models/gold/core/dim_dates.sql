{#-
    One row per calendar day over the data window: from the Monday on or
    before the first day of the earliest month any activity touches (account
    sign-ups, subscription periods, playback, social mentions, review
    scrapes) to six days after the end of the latest month, so every month
    and every ISO week the data touches is whole.

    The spine is a cross join of five single-digit sets (0..99,999 days,
    about 270 years) filtered to the window: a recursive CTE or a
    `generate_series` would not run on Synapse.
-#}
with

activity_bounds as (
    select
        min(cast(signup_at as date)) as first_date,
        max(cast(signup_at as date)) as last_date
    from {{ ref('accounts') }}
    union all
    select
        min(cast(period_start_at as date)) as first_date,
        max(cast(coalesce(period_end_at, period_start_at) as date)) as last_date
    from {{ ref('subscriptions') }}
    union all
    select
        min(session_date) as first_date,
        max(session_date) as last_date
    from {{ ref('playback_sessions') }}
    union all
    select
        min(cast(posted_at as date)) as first_date,
        max(cast(posted_at as date)) as last_date
    from {{ ref('social_mentions') }}
    union all
    select
        min(cast(scraped_at as date)) as first_date,
        max(cast(scraped_at as date)) as last_date
    from {{ ref('review_scores') }}
),

data_window as (
    select
        cast({{ dbt.date_trunc('month', 'min(first_date)') }} as date) as first_month_start,
        cast({{ dbt.date_trunc('month', 'max(last_date)') }} as date) as last_month_start
    from activity_bounds
),

spine_bounds as (
    select
        {{ week_start('first_month_start') }} as spine_start,
        cast(
            {{ dbt.dateadd('day', 6, dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'last_month_start'))) }}
            as date
        ) as spine_end
    from data_window
),

digits as (
    select 0 as digit
    union all
    select 1 as digit
    union all
    select 2 as digit
    union all
    select 3 as digit
    union all
    select 4 as digit
    union all
    select 5 as digit
    union all
    select 6 as digit
    union all
    select 7 as digit
    union all
    select 8 as digit
    union all
    select 9 as digit
),

day_offsets as (
    select
        ones.digit
        + tens.digit * 10
        + hundreds.digit * 100
        + thousands.digit * 1000
        + ten_thousands.digit * 10000 as day_offset
    from digits as ones
    cross join digits as tens
    cross join digits as hundreds
    cross join digits as thousands
    cross join digits as ten_thousands
),

calendar_days as (
    select cast({{ dbt.dateadd('day', 'day_offsets.day_offset', 'spine_bounds.spine_start') }} as date) as calendar_date
    from day_offsets
    cross join spine_bounds
    where day_offsets.day_offset <= {{ dbt.datediff('spine_bounds.spine_start', 'spine_bounds.spine_end', 'day') }}
),

-- ISO day of week (Monday = 1) counted from a known Monday, 1900-01-01:
-- engine functions disagree on the first day of the week (T-SQL follows DATEFIRST).
anchored_days as (
    select
        calendar_date,
        cast('1900-01-01' as date) as anchor_monday
    from calendar_days
),

numbered_days as (
    select
        calendar_date,
        {{ dbt.datediff('anchor_monday', 'calendar_date', 'day') }}
        % 7 + 1 as day_of_week
    from anchored_days
),

final as (
    select
        cast(calendar_date as date) as calendar_date,
        {{ week_start('calendar_date') }} as week_start_date,
        cast({{ dbt.date_trunc('month', 'calendar_date') }} as date) as month_start_date,
        cast(day_of_week as int) as day_of_week,
        cast(
            case day_of_week
                when 1 then 'Monday'
                when 2 then 'Tuesday'
                when 3 then 'Wednesday'
                when 4 then 'Thursday'
                when 5 then 'Friday'
                when 6 then 'Saturday'
                when 7 then 'Sunday'
            end
            as varchar(9)
        ) as day_name,
        cast(case when day_of_week in (6, 7) then 1 else 0 end as int) as is_weekend
    from numbered_days
)

select * from final
