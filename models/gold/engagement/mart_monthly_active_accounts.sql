{#-
    Monthly active accounts per calendar month (UTC) and country where the
    sessions were watched. An account that watched in two countries counts
    in both, so the rows of a month do not add up to the month's total.
-#}
with

sessions as (
    select
        cast({{ dbt.date_trunc('month', 'session_date') }} as date) as activity_month,
        country_code,
        account_id,
        watch_hours
    from {{ ref('fct_playback_sessions') }}
),

monthly as (
    select
        activity_month,
        country_code,
        count(distinct account_id) as monthly_active_accounts,
        count(*) as sessions,
        sum(watch_hours) as watch_hours
    from sessions
    group by
        activity_month,
        country_code
),

final as (
    select
        cast(activity_month as date) as activity_month,
        cast(country_code as varchar(2)) as country_code,
        cast(monthly_active_accounts as bigint) as monthly_active_accounts,
        cast(sessions as bigint) as sessions,
        cast(watch_hours as decimal(18, 4)) as watch_hours,
        cast(1.0 * watch_hours / monthly_active_accounts as decimal(18, 4)) as watch_hours_per_account
    from monthly
)

select * from final
