{#-
    Each account as it stands now: its latest trusted change (status,
    country, e-mail hash) and its latest subscription period (plan, churn).
    state_changed_at is when the plan or status last changed, the valid-from
    time the account snapshot records.
-#}
with current_versions as (
    select * from {{ ref('account_versions') }}
    where is_current_version = 1
),

subscriptions as (
    select * from {{ ref('subscriptions') }}
),

ranked_periods as (
    select
        account_id,
        plan_id,
        end_reason,
        period_start_at,
        period_end_at,
        row_number() over (partition by account_id order by period_number desc) as recency_rank
    from subscriptions
),

latest_periods as (
    select * from ranked_periods
    where recency_rank = 1
),

accounts as (
    select
        current_versions.account_id,
        current_versions.email_hash,
        current_versions.country,
        current_versions.signup_at,
        current_versions.status,
        latest_periods.plan_id,
        case when latest_periods.account_id is not null and latest_periods.period_end_at is null then 1 else 0 end
            as is_subscribed,
        case when latest_periods.end_reason = 'cancel' then 1 else 0 end as is_churned,
        case when latest_periods.end_reason = 'cancel' then latest_periods.period_end_at end as churned_at,
        case
            when coalesce(latest_periods.period_end_at, latest_periods.period_start_at) > current_versions.valid_from
                then coalesce(latest_periods.period_end_at, latest_periods.period_start_at)
            else current_versions.valid_from
        end as state_changed_at
    from current_versions
    left join latest_periods on current_versions.account_id = latest_periods.account_id
)

select * from accounts
