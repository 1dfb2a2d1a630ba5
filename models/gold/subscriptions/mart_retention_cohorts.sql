{#-
    Monthly retention of sign-up cohorts; formulas in the
    `kpi_retention_*` doc blocks. Month 0 is the sign-up month, where the
    whole cohort counts as retained (signing up is what puts an account in
    the cohort). A later month has a row only when it is observed (inside
    int_observation_months): an account is retained in it when it holds a
    subscription active at that month's end, the rule mart_subscriptions_monthly
    counts active subscribers by.
-#}
with

accounts as (
    select
        account_id,
        cast({{ dbt.date_trunc('month', 'signup_date') }} as date) as cohort_month
    from {{ ref('dim_accounts') }}
),

months as (
    select
        activity_month,
        window_closes_at
    from {{ ref('int_observation_months') }}
),

periods as (
    select
        account_id,
        period_start_at,
        period_end_at,
        is_start_observed
    from {{ ref('subscriptions') }}
),

cohorts as (
    select
        cohort_month,
        count(*) as cohort_size
    from accounts
    group by cohort_month
),

subscribed_at_month_end as (
    select
        accounts.cohort_month,
        months.activity_month,
        count(distinct accounts.account_id) as retained_accounts
    from accounts
    inner join periods on accounts.account_id = periods.account_id
    inner join months
        on
            accounts.cohort_month < months.activity_month
            and (periods.is_start_observed = 0 or periods.period_start_at < months.window_closes_at)
            and (periods.period_end_at is null or periods.period_end_at >= months.window_closes_at)
    group by
        accounts.cohort_month,
        months.activity_month
),

cohort_months as (
    select
        cohorts.cohort_month,
        cohorts.cohort_month as activity_month,
        cohorts.cohort_size,
        cohorts.cohort_size as retained_accounts
    from cohorts

    union all

    select
        cohorts.cohort_month,
        months.activity_month,
        cohorts.cohort_size,
        coalesce(subscribed_at_month_end.retained_accounts, 0) as retained_accounts
    from cohorts
    inner join months on cohorts.cohort_month < months.activity_month
    left join subscribed_at_month_end
        on
            cohorts.cohort_month = subscribed_at_month_end.cohort_month
            and months.activity_month = subscribed_at_month_end.activity_month
),

final as (
    select
        cast(cohort_month as date) as cohort_month,
        cast(
            {{ dbt.datediff('cohort_month', 'activity_month', 'month') }}
            as int
        ) as months_since_signup,
        cast(activity_month as date) as activity_month,
        cast(cohort_size as bigint) as cohort_size,
        cast(retained_accounts as bigint) as retained_accounts,
        cast(1.0 * retained_accounts / cohort_size as decimal(9, 6)) as retention_rate
    from cohort_months
)

select * from final
