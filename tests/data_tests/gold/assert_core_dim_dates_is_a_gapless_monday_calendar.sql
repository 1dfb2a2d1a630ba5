{#-
    dim_dates is one unbroken run of days whose ISO weeks start on Monday:
    no day missing between the first and the last; each day's
    week_start_date is a day of the spine with day_of_week 1 and at most six
    days earlier; day_of_week steps 1..7 from one day to the next. (That
    the spine covers the data is the relationships tests' job.) Returns one
    row per broken day.
-#}
with

calendar as (
    select
        calendar_date,
        week_start_date,
        day_of_week,
        lag(calendar_date) over (order by calendar_date) as previous_date,
        lag(day_of_week) over (order by calendar_date) as previous_day_of_week
    from {{ ref('dim_dates') }}
),

measured as (
    select
        *,
        {{ dbt.datediff('previous_date', 'calendar_date', 'day') }}
            as days_since_previous,
        {{ dbt.datediff('week_start_date', 'calendar_date', 'day') }}
            as days_since_week_start
    from calendar
),

week_starts as (
    select
        calendar_date,
        day_of_week
    from {{ ref('dim_dates') }}
),

day_failures as (
    select
        measured.calendar_date,
        'day does not follow the previous one, or its week does not start on a Monday of the spine' as failure
    from measured
    left join week_starts on measured.week_start_date = week_starts.calendar_date
    where
        measured.days_since_previous <> 1
        or measured.day_of_week <> measured.previous_day_of_week % 7 + 1
        or week_starts.day_of_week is null
        or week_starts.day_of_week <> 1
        or measured.days_since_week_start < 0
        or measured.days_since_week_start > 6
)

select * from day_failures
