{#-
    Retention cohorts stay within their cohort: every cohort has a month 0
    at 100 % with all its accounts, no month retains more accounts than the
    cohort has, and every account is in exactly one cohort. Returns the
    offending cohort months.
-#}
with

cohort_rows as (
    select
        cohort_month,
        months_since_signup,
        cohort_size,
        retained_accounts,
        retention_rate
    from {{ ref('mart_retention_cohorts') }}
),

month_zero as (
    select
        cohort_month,
        cohort_size,
        retained_accounts,
        retention_rate
    from cohort_rows
    where months_since_signup = 0
),

accounts_per_cohort as (
    select
        cast({{ dbt.date_trunc('month', 'signup_date') }} as date) as cohort_month,
        count(*) as signed_up_accounts
    from {{ ref('dim_accounts') }}
    group by cast({{ dbt.date_trunc('month', 'signup_date') }} as date)
)

select
    cohort_month,
    'retention outside 0..1 or above the cohort size' as problem
from cohort_rows
where
    retention_rate < 0
    or retention_rate > 1
    or retained_accounts > cohort_size
    or months_since_signup < 0

union all

select
    coalesce(month_zero.cohort_month, accounts_per_cohort.cohort_month) as cohort_month,
    'month 0 is missing or not the whole cohort' as problem
from month_zero
full outer join accounts_per_cohort on month_zero.cohort_month = accounts_per_cohort.cohort_month
where
    month_zero.cohort_month is null
    or accounts_per_cohort.cohort_month is null
    or month_zero.cohort_size <> accounts_per_cohort.signed_up_accounts
    or month_zero.retained_accounts <> month_zero.cohort_size
    or month_zero.retention_rate <> 1
