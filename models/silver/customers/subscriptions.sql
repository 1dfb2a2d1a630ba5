{#-
    Subscription periods: a start, an upgrade or a downgrade opens a period on
    the event's plan and closes the account's open one; a cancel only closes.
    An account whose first event in the data is a payment or a cancel was
    subscribed before the data begins: that event opens a `carried_in` period
    whose true start is unknown (is_start_observed = 0); a cancel seen alone
    gives a period that starts and ends at the cancel.
-#}
with plans as (
    select * from {{ ref('plans') }}
),

{# Events at the same instant apply in lifecycle order (a start, then a
    change or payment, then a cancel), then by id, so every sequence below
    is deterministic. #}
events as (
    select
        *,
        case event_type
            when 'start' then 1
            when 'cancel' then 3
            else 2
        end as lifecycle_order
    from {{ ref('subscription_events') }}
),

ranked_events as (
    select
        event_id,
        account_id,
        event_type,
        plan_id,
        event_ts,
        row_number() over (partition by account_id order by event_ts, lifecycle_order, event_id) as event_rank
    from events
),

{# A subscription first seen through a payment or a cancel was running
    before the data begins; one first seen through an upgrade or downgrade
    gets no period before it, because the plan it left is unknown. #}
boundaries as (
    select
        event_id,
        account_id,
        event_type,
        plan_id,
        event_ts,
        lifecycle_order,
        1 as is_start_observed
    from events
    where event_type <> 'payment'

    union all

    select
        event_id,
        account_id,
        'carried_in' as event_type,
        plan_id,
        event_ts,
        0 as lifecycle_order,
        0 as is_start_observed
    from ranked_events
    where event_rank = 1 and event_type in ('payment', 'cancel')
),

sequenced as (
    select
        event_id,
        account_id,
        event_type,
        plan_id,
        event_ts,
        is_start_observed,
        lifecycle_order,
        lead(event_type) over (
            partition by account_id order by event_ts, lifecycle_order, event_id
        ) as next_event_type,
        lead(event_ts) over (
            partition by account_id order by event_ts, lifecycle_order, event_id
        ) as next_event_ts
    from boundaries
),

periods as (
    select
        event_id as subscription_id,
        account_id,
        plan_id,
        event_type as start_reason,
        event_ts as period_start_at,
        next_event_ts as period_end_at,
        is_start_observed,
        row_number() over (partition by account_id order by event_ts, lifecycle_order, event_id) as period_number,
        case when next_event_type = 'start' then 'restart' else next_event_type end as end_reason
    from sequenced
    where event_type <> 'cancel'
),

period_payments as (
    select
        periods.subscription_id,
        count(*) as payment_count,
        count(distinct events.currency) as currency_count,
        max(events.currency) as currency,
        sum(events.amount_minor) as amount_minor
    from periods
    inner join events
        on
            periods.account_id = events.account_id
            and periods.period_start_at <= events.event_ts
            and (periods.period_end_at is null or periods.period_end_at > events.event_ts)
    where events.event_type = 'payment'
    group by periods.subscription_id
),

subscriptions as (
    select
        periods.subscription_id,
        periods.account_id,
        periods.period_number,
        periods.plan_id,
        plans.monthly_price_cents as monthly_list_price_cents,
        plans.currency_code as list_price_currency,
        periods.start_reason,
        periods.end_reason,
        periods.period_start_at,
        periods.period_end_at,
        periods.is_start_observed,
        case when periods.period_end_at is null then 1 else 0 end as is_open,
        coalesce(period_payments.payment_count, 0) as payment_count,
        case when period_payments.currency_count = 1 then period_payments.currency end as payment_currency,
        case when period_payments.currency_count = 1 then period_payments.amount_minor end as paid_amount_minor
    from periods
    left join plans on periods.plan_id = plans.plan_id
    left join period_payments on periods.subscription_id = period_payments.subscription_id
)

select * from subscriptions
