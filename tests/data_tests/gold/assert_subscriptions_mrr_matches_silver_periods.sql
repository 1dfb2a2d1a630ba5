{#-
    MRR and active subscribers of mart_subscriptions_monthly, recomputed
    straight from Silver: per month and plan, the subscription periods
    active when the month's window closes, priced at the plans seed's list
    price. Returns the months and plans where the mart disagrees.
-#}
with

month_ends as (
    select
        activity_month,
        window_closes_at
    from {{ ref('int_observation_months') }}
),

active_at_month_end as (
    select
        month_ends.activity_month,
        subscriptions.plan_id,
        count(*) as active_subscribers,
        sum(plan_prices.monthly_price_cents) / 100.0 as mrr_usd
    from {{ ref('subscriptions') }} as subscriptions
    inner join {{ ref('plans') }} as plan_prices on subscriptions.plan_id = plan_prices.plan_id
    inner join month_ends
        on
            (subscriptions.is_start_observed = 0 or subscriptions.period_start_at < month_ends.window_closes_at)
            and (subscriptions.period_end_at is null or subscriptions.period_end_at >= month_ends.window_closes_at)
    group by
        month_ends.activity_month,
        subscriptions.plan_id
),

mart as (
    select
        activity_month,
        plan_id,
        active_subscribers,
        mrr_usd
    from {{ ref('mart_subscriptions_monthly') }}
)

select
    mart.mrr_usd as mart_mrr_usd,
    active_at_month_end.mrr_usd as silver_mrr_usd,
    mart.active_subscribers as mart_active_subscribers,
    active_at_month_end.active_subscribers as silver_active_subscribers,
    coalesce(mart.activity_month, active_at_month_end.activity_month) as activity_month,
    coalesce(mart.plan_id, active_at_month_end.plan_id) as plan_id
from mart
full outer join active_at_month_end
    on
        mart.activity_month = active_at_month_end.activity_month
        and mart.plan_id = active_at_month_end.plan_id
where
    mart.plan_id is null
    or coalesce(active_at_month_end.mrr_usd, 0) <> mart.mrr_usd
    or coalesce(active_at_month_end.active_subscribers, 0) <> mart.active_subscribers
