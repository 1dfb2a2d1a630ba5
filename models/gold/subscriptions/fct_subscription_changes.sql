{#-
    One row per change to the set of active subscription periods: a period
    opening (+1 subscriber, + its list price) and, once it ended, closing
    (-1, - the price). Running sums of the changes are the semantic layer's
    cumulative metrics (active subscribers, MRR) and equal
    mart_subscriptions_monthly. A period is active at an instant t when it
    began before t and had not ended before t (`subscriptions_month_window`),
    so a change counts from the end of the day it happened on, and from the
    start of the next day. A `carried_in` period began before the data: its
    opening counts from the first day of the window's first month on both
    bases.
-#}
with

first_month as (
    select min(activity_month) as first_activity_month
    from {{ ref('int_observation_months') }}
),

periods as (
    select
        subscription_id,
        account_id,
        plan_id,
        monthly_list_price_cents,
        start_reason,
        end_reason,
        is_start_observed,
        period_start_at,
        period_end_at,
        lag(end_reason) over (partition by account_id order by period_number) as previous_end_reason
    from {{ ref('subscriptions') }}
),

openings as (
    select
        periods.subscription_id,
        periods.account_id,
        periods.plan_id,
        'opened' as change_type,
        periods.start_reason as change_reason,
        -- A start that replaces a still-open period (`restart`) is no new subscriber.
        case
            when
                periods.start_reason = 'start' and coalesce(periods.previous_end_reason, 'none') <> 'restart'
                then 1
            else 0
        end as is_new_subscription,
        0 as is_churn,
        1 as subscriber_change,
        periods.monthly_list_price_cents as list_price_change_cents,
        periods.period_start_at as changed_at,
        case
            when periods.is_start_observed = 1 then cast(periods.period_start_at as date)
            else first_month.first_activity_month
        end as counted_at_day_end_from_date,
        case
            when periods.is_start_observed = 1 then {{ dbt.dateadd('day', 1, 'cast(periods.period_start_at as date)') }}
            else first_month.first_activity_month
        end as counted_at_day_start_from_date
    from periods
    cross join first_month
),

closings as (
    select
        subscription_id,
        account_id,
        plan_id,
        'closed' as change_type,
        end_reason as change_reason,
        0 as is_new_subscription,
        case when end_reason = 'cancel' then 1 else 0 end as is_churn,
        -1 as subscriber_change,
        -monthly_list_price_cents as list_price_change_cents,
        period_end_at as changed_at,
        cast(period_end_at as date) as counted_at_day_end_from_date,
        {{ dbt.dateadd('day', 1, 'cast(period_end_at as date)') }} as counted_at_day_start_from_date
    from periods
    where period_end_at is not null
),

changes as (
    select * from openings
    union all
    select * from closings
),

final as (
    select
        -- ids
        cast({{ dbt.concat(["subscription_id", "':'", "change_type"]) }} as varchar(80)) as subscription_change_key,
        cast(subscription_id as varchar(64)) as subscription_id,
        cast(account_id as varchar(16)) as account_id,
        cast(plan_id as varchar(16)) as plan_id,

        -- attributes
        cast(change_type as varchar(8)) as change_type,
        cast(change_reason as varchar(16)) as change_reason,
        cast(is_new_subscription as int) as is_new_subscription,
        cast(is_churn as int) as is_churn,

        -- measures
        cast(subscriber_change as int) as subscriber_change,
        cast(list_price_change_cents / 100.0 as decimal(18, 2)) as list_price_change_usd,

        -- dates
        cast(changed_at as date) as change_date,
        cast(counted_at_day_end_from_date as date) as counted_at_day_end_from_date,
        cast(counted_at_day_start_from_date as date) as counted_at_day_start_from_date,

        -- timestamps
        cast(changed_at as {{ dbt.type_timestamp() }}) as changed_at
    from changes
)

select * from final
