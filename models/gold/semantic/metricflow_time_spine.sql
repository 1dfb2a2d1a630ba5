{#-
    MetricFlow's day spine: the conformed calendar (dim_dates) up to the last
    day of the latest observed month. Cumulative metrics are read at each
    spine day, so ending with the data's last month keeps them from running
    on into days nothing has been measured for.
-#}
with

last_month as (
    select max(activity_month) as last_activity_month
    from {{ ref('int_observation_months') }}
),

final as (
    select cast(dim_dates.calendar_date as date) as date_day
    from {{ ref('dim_dates') }} as dim_dates
    inner join last_month on dim_dates.month_start_date <= last_month.last_activity_month
)

select * from final
