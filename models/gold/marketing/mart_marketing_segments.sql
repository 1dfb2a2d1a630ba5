{#-
    Marketing segments: one row per account and segment it falls in, with
    the rule that put it there and the account's value of the measure the
    rule tests. Each rule is written once, below, as the SQL predicate the
    model applies; `segment_rule` is that predicate with its meaning, so
    the text the platform shows and the filter applied cannot drift apart.
    Rules and thresholds are documented in the `marketing_segment_rules`
    doc block. Measures come from ml_account_features, so the recommender and
    the marketing platform see the same account.
-#}
{%- set segments = [
    {
        'name': 'new',
        'meaning': 'signed up in the 30 days up to the as-of date',
        'rule': 'tenure_days < 30',
        'measure': 'tenure_days',
    },
    {
        'name': 'engaged',
        'meaning': 'watched on 4+ distinct days in the last 28 days',
        'rule': 'active_days_28d >= 4',
        'measure': 'active_days_28d',
    },
    {
        'name': 'binge_watcher',
        'meaning': 'watched 3+ hours in one UTC day in the last 28 days',
        'rule': 'max_daily_watch_hours_28d >= 3',
        'measure': 'max_daily_watch_hours_28d',
    },
    {
        'name': 'lapsing',
        'meaning': 'subscribed, last watched 7 to 20 days before the as-of date',
        'rule': 'is_subscribed = 1 and recency_days between 7 and 20',
        'measure': 'recency_days',
    },
    {
        'name': 'churn_risk',
        'meaning': 'subscribed, under 1 watch hour in the last 28 days',
        'rule': 'is_subscribed = 1 and watch_hours_28d < 1',
        'measure': 'watch_hours_28d',
    },
    {
        'name': 'win_back',
        'meaning': 'cancelled in the 90 days up to the as-of date, not resubscribed',
        'rule': 'is_churned = 1 and days_since_churn between 0 and 90',
        'measure': 'days_since_churn',
    },
] -%}

with

features as (
    select
        account_id,
        as_of_date,
        is_subscribed,
        tenure_days,
        recency_days,
        active_days_28d,
        watch_hours_28d,
        max_daily_watch_hours_28d
    from {{ ref('ml_account_features') }}
),

accounts as (
    select
        account_id,
        is_churned,
        churned_at
    from {{ ref('dim_accounts') }}
),

measured as (
    select
        features.*,
        accounts.is_churned,
        {{ dbt.datediff('cast(accounts.churned_at as date)', 'features.as_of_date', 'day') }}
            as days_since_churn
    from features
    inner join accounts on features.account_id = accounts.account_id
),

memberships as (
    {%- for segment in segments %}
        select
            account_id,
            as_of_date,
            '{{ segment.name }}' as segment_name,
            '{{ segment.meaning }}: {{ segment.rule }}' as segment_rule,
            {{ segment.measure }} as qualifying_value
        from measured
        where {{ segment.rule }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

final as (
    select
        cast(account_id as varchar(16)) as account_id,
        cast(segment_name as varchar(32)) as segment_name,
        cast(segment_rule as varchar(256)) as segment_rule,
        cast(qualifying_value as decimal(18, 4)) as qualifying_value,
        cast(as_of_date as date) as as_of_date
    from memberships
)

select * from final
