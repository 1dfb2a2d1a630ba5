{#-
    The observation window, cut into calendar months: the days from the
    first to the last UTC date with a subscription event or a playback
    session. Month KPIs measure each month over the part of it inside the
    window, so the first and last months may be partial: a month's
    "month end" is when its part of the window closes (for the latest month,
    the end of the data), and its "month start" when that part opens.
    Months come from dim_dates, the conformed calendar.
-#}
with

observed_days as (
    select
        min(cast(event_ts as date)) as first_date,
        max(cast(event_ts as date)) as last_date
    from {{ ref('subscription_events') }}
    union all
    select
        min(session_date) as first_date,
        max(session_date) as last_date
    from {{ ref('fct_playback_sessions') }}
),

observation_window as (
    select
        min(first_date) as first_observed_date,
        max(last_date) as last_observed_date
    from observed_days
),

months as (
    select
        dim_dates.month_start_date,
        max(dim_dates.calendar_date) as month_end_date
    from {{ ref('dim_dates') }} as dim_dates
    group by dim_dates.month_start_date
),

windowed as (
    select
        months.month_start_date as activity_month,
        months.month_end_date,
        case
            when months.month_start_date > observation_window.first_observed_date then months.month_start_date
            else observation_window.first_observed_date
        end as first_observed_date,
        case
            when months.month_end_date < observation_window.last_observed_date then months.month_end_date
            else observation_window.last_observed_date
        end as last_observed_date
    from months
    inner join observation_window
        on
            months.month_end_date >= observation_window.first_observed_date
            and months.month_start_date <= observation_window.last_observed_date
),

final as (
    select
        cast(activity_month as date) as activity_month,
        cast(first_observed_date as date) as first_observed_date,
        cast(last_observed_date as date) as last_observed_date,
        cast(first_observed_date as {{ dbt.type_timestamp() }}) as window_opens_at,
        cast({{ dbt.dateadd('day', 1, 'last_observed_date') }} as {{ dbt.type_timestamp() }}) as window_closes_at,
        cast(
            case
                when first_observed_date = activity_month and last_observed_date = month_end_date then 0
                else 1
            end
            as int
        ) as is_partial_month
    from windowed
)

select * from final
