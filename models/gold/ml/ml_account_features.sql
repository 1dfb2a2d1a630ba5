{#-
    Per-account features for the recommender and churn models, as of the
    last observed day (int_observation_months); definitions in the
    `ml_account_feature_*` doc blocks. The genre share columns are a fixed
    set, so the contract does not move when the catalog gains a genre group:
    every other group (and titles without one) falls into `other`.
-#}
{%- set genre_share_columns = {
    'Action': 'action',
    'Comedy': 'comedy',
    'Drama': 'drama',
    'Documentary': 'documentary',
    'Kids & Family': 'kids_family',
    'Sci-Fi & Fantasy': 'scifi_fantasy',
    'Horror': 'horror',
    'Thriller': 'thriller',
    'Romance': 'romance',
} -%}
{%- set device_classes = ['tv', 'mobile', 'web'] -%}

with

as_of as (
    select max(last_observed_date) as as_of_date
    from {{ ref('int_observation_months') }}
),

accounts as (
    select
        account_id,
        plan_id,
        is_subscribed,
        signup_date
    from {{ ref('dim_accounts') }}
),

sessions as (
    select
        fct_playback_sessions.account_id,
        fct_playback_sessions.session_date,
        fct_playback_sessions.ended_at,
        fct_playback_sessions.watch_hours,
        dim_devices.device_class,
        case dim_titles.primary_genre_group
            {%- for genre_group, column in genre_share_columns.items() %}
                when '{{ genre_group }}' then '{{ column }}'
            {%- endfor %}
            else 'other'
        end as genre_share_column,
        {{ dbt.datediff('fct_playback_sessions.session_date', 'as_of.as_of_date', 'day') }}
            as days_before_as_of
    from {{ ref('fct_playback_sessions') }} as fct_playback_sessions
    cross join as_of
    left join {{ ref('dim_devices') }} as dim_devices on fct_playback_sessions.device = dim_devices.device
    left join {{ ref('dim_titles') }} as dim_titles on fct_playback_sessions.title_id = dim_titles.title_id
    where fct_playback_sessions.session_date <= as_of.as_of_date
),

lifetime as (
    select
        account_id,
        max(session_date) as last_session_date,
        max(ended_at) as last_session_at
    from sessions
    group by account_id
),

last_28_days as (
    select
        account_id,
        {%- for column in genre_share_columns.values() | list + ['other'] %}
            sum(case when genre_share_column = '{{ column }}' then watch_hours else 0 end) as hours_{{ column }},
        {%- endfor %}
        {%- for device_class in device_classes %}
            sum(case when device_class = '{{ device_class }}' then 1 else 0 end) as sessions_{{ device_class }},
        {%- endfor %}
        sum(case when days_before_as_of < 7 then 1 else 0 end) as sessions_7d,
        count(*) as sessions_28d,
        count(distinct session_date) as active_days_28d,
        sum(watch_hours) as watch_hours_28d
    from sessions
    where days_before_as_of < 28
    group by account_id
),

daily_hours as (
    select
        account_id,
        session_date,
        sum(watch_hours) as watch_hours
    from sessions
    where days_before_as_of < 28
    group by
        account_id,
        session_date
),

peak_days as (
    select
        account_id,
        max(watch_hours) as max_daily_watch_hours_28d
    from daily_hours
    group by account_id
),

final as (
    select
        -- ids
        cast(accounts.account_id as varchar(16)) as account_id,
        cast(as_of.as_of_date as date) as as_of_date,

        -- subscription
        cast(accounts.plan_id as varchar(16)) as plan_id,
        cast(accounts.is_subscribed as int) as is_subscribed,
        cast(
            {{ dbt.datediff('accounts.signup_date', 'as_of.as_of_date', 'day') }}
            as int
        ) as tenure_days,

        -- recency and frequency
        cast(
            {{ dbt.datediff('lifetime.last_session_date', 'as_of.as_of_date', 'day') }}
            as int
        ) as recency_days,
        cast(coalesce(last_28_days.sessions_7d, 0) as bigint) as sessions_7d,
        cast(coalesce(last_28_days.sessions_28d, 0) as bigint) as sessions_28d,
        cast(coalesce(last_28_days.active_days_28d, 0) as bigint) as active_days_28d,

        -- watch time
        cast(coalesce(last_28_days.watch_hours_28d, 0) as decimal(18, 4)) as watch_hours_28d,
        cast(coalesce(peak_days.max_daily_watch_hours_28d, 0) as decimal(18, 4)) as max_daily_watch_hours_28d,

        -- genre affinity: share of the 28-day watch hours
        {%- for column in genre_share_columns.values() | list + ['other'] %}
            cast(
                last_28_days.hours_{{ column }} / nullif(last_28_days.watch_hours_28d, 0)
                as decimal(9, 6)
            ) as genre_share_{{ column }},
        {%- endfor %}

        -- device mix: share of the 28-day sessions
        {%- for device_class in device_classes %}
            cast(
                1.0 * last_28_days.sessions_{{ device_class }} / nullif(last_28_days.sessions_28d, 0)
                as decimal(9, 6)
            ) as device_share_{{ device_class }},
        {%- endfor %}

        -- timestamps
        cast(lifetime.last_session_at as {{ dbt.type_timestamp() }}) as last_session_at
    from accounts
    cross join as_of
    left join lifetime on accounts.account_id = lifetime.account_id
    left join last_28_days on accounts.account_id = last_28_days.account_id
    left join peak_days on accounts.account_id = peak_days.account_id
)

select * from final
