{#- The e-mail hash stays in Silver: no Gold consumer needs to identify a person. -#}
with

accounts as (
    select * from {{ ref('accounts') }}
),

final as (
    select
        -- ids
        cast(account_id as varchar(16)) as account_id,
        cast(plan_id as varchar(16)) as plan_id,
        cast(country as varchar(2)) as country_code,

        -- attributes
        cast(status as varchar(16)) as account_status,
        cast(is_subscribed as int) as is_subscribed,
        cast(is_churned as int) as is_churned,

        -- dates and timestamps
        cast(signup_at as date) as signup_date,
        cast(signup_at as {{ dbt.type_timestamp() }}) as signup_at,
        cast(churned_at as {{ dbt.type_timestamp() }}) as churned_at,
        cast(state_changed_at as {{ dbt.type_timestamp() }}) as state_changed_at
    from accounts
)

select * from final
