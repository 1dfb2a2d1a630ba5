{#-
    Engagement per UTC day, country (where the session was watched, from the
    client's IP) and device. An account active on several devices or in
    several countries that day counts in each row, so daily active accounts
    do not add up across rows; sessions and watch hours do.
-#}
{#-
    Incremental by day: the session dates fct_playback_sessions rebuilt since
    this model's last run are recomputed here whole, from all their sessions.
-#}
{{ config(
    materialized='incremental',
    unique_key='activity_date',
    partition_by=['activity_date'] if target.type == 'spark' else none
) }}

with

sessions as (
    select *
    from {{ ref('fct_playback_sessions') }}
    {%- if is_incremental() %}
        where session_date in ({{ refreshed_dates(ref('fct_playback_sessions'), 'session_date') }})
    {%- endif %}
),

daily as (
    select
        session_date as activity_date,
        country_code,
        device,
        count(distinct account_id) as daily_active_accounts,
        count(*) as sessions,
        sum(watch_hours) as watch_hours
    from sessions
    group by
        session_date,
        country_code,
        device
),

final as (
    select
        cast(activity_date as date) as activity_date,
        cast(country_code as varchar(2)) as country_code,
        cast(device as varchar(32)) as device,
        cast(daily_active_accounts as bigint) as daily_active_accounts,
        cast(sessions as bigint) as sessions,
        cast(watch_hours as decimal(18, 4)) as watch_hours,
        cast(1.0 * sessions / daily_active_accounts as decimal(18, 4)) as sessions_per_account,
        {{ refresh_stamp() }} as _refreshed_at
    from daily
)

select * from final
