{#-
    Subscription KPIs per observed month and plan; formulas in the
    `kpi_subscriptions_*` doc blocks. A period is active at an instant t when
    it has begun before t (a `carried_in` period, whose true start precedes
    the data, always has) and has not ended before t. "Month start" and
    "month end" are when the month's part of the observation window opens
    and closes (int_observation_months). An account's periods never overlap,
    so a plan change counts the subscriber once, on the plan it ends on.
-#}
with

months as (
    select
        activity_month,
        window_opens_at,
        window_closes_at
    from {{ ref('int_observation_months') }}
),

plans as (
    select plan_id
    from {{ ref('plans') }}
),

periods as (
    select
        account_id,
        plan_id,
        monthly_list_price_cents,
        start_reason,
        end_reason,
        period_start_at,
        period_end_at,
        is_start_observed,
        lag(end_reason) over (partition by account_id order by period_number) as previous_end_reason
    from {{ ref('subscriptions') }}
),

-- One row per period and month it touches, with what it did in that month.
period_months as (
    select
        months.activity_month,
        periods.plan_id,
        periods.account_id,
        periods.monthly_list_price_cents,
        case
            when
                (periods.is_start_observed = 0 or periods.period_start_at < months.window_opens_at)
                and (periods.period_end_at is null or periods.period_end_at >= months.window_opens_at)
                then 1
            else 0
        end as is_active_at_start,
        case
            when
                (periods.is_start_observed = 0 or periods.period_start_at < months.window_closes_at)
                and (periods.period_end_at is null or periods.period_end_at >= months.window_closes_at)
                then 1
            else 0
        end as is_active_at_end,
        -- A start that replaces a still-open period (`restart`) is no new subscriber.
        case
            when
                periods.start_reason = 'start'
                and coalesce(periods.previous_end_reason, 'none') <> 'restart'
                and periods.period_start_at >= months.window_opens_at
                and periods.period_start_at < months.window_closes_at
                then 1
            else 0
        end as is_new,
        case
            when
                periods.end_reason = 'cancel'
                and periods.period_end_at >= months.window_opens_at
                and periods.period_end_at < months.window_closes_at
                then 1
            else 0
        end as is_churned
    from periods
    inner join months
        on
            (periods.is_start_observed = 0 or periods.period_start_at < months.window_closes_at)
            and (periods.period_end_at is null or periods.period_end_at >= months.window_opens_at)
),

monthly as (
    select
        activity_month,
        plan_id,
        count(distinct case when is_active_at_start = 1 then account_id end) as active_subscribers_at_start,
        count(distinct case when is_active_at_end = 1 then account_id end) as active_subscribers,
        sum(case when is_active_at_end = 1 then monthly_list_price_cents else 0 end) as mrr_cents,
        count(distinct case when is_new = 1 then account_id end) as new_subscribers,
        count(distinct case when is_churned = 1 then account_id end) as churned_subscribers
    from period_months
    group by
        activity_month,
        plan_id
),

-- Every plan in every month, so a plan nobody holds shows zeros, not a gap.
month_plans as (
    select
        months.activity_month,
        plans.plan_id
    from months
    cross join plans
),

final as (
    select
        cast(month_plans.activity_month as date) as activity_month,
        cast(month_plans.plan_id as varchar(16)) as plan_id,
        cast(coalesce(monthly.active_subscribers_at_start, 0) as bigint) as active_subscribers_at_start,
        cast(coalesce(monthly.active_subscribers, 0) as bigint) as active_subscribers,
        cast(coalesce(monthly.new_subscribers, 0) as bigint) as new_subscribers,
        cast(coalesce(monthly.churned_subscribers, 0) as bigint) as churned_subscribers,
        cast(coalesce(monthly.mrr_cents, 0) / 100.0 as decimal(18, 2)) as mrr_usd,
        cast(
            1.0 * monthly.churned_subscribers / nullif(monthly.active_subscribers_at_start, 0)
            as decimal(9, 6)
        ) as churn_rate,
        cast(monthly.mrr_cents / 100.0 / nullif(monthly.active_subscribers, 0) as decimal(18, 2)) as arpu_usd
    from month_plans
    left join monthly
        on
            month_plans.activity_month = monthly.activity_month
            and month_plans.plan_id = monthly.plan_id
)

select * from final
