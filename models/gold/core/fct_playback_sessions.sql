{#-
    One row per playback session with Silver's QoE and engagement measures,
    in the units Gold reports (hours, 0/1 flags) and with the completion
    rule applied once here, so every mart counts a completed session alike.
-#}
{#-
    Incremental by session date, like playback_sessions: the dates it rebuilt
    since this model's last run (rows stamped later than ours) are replaced
    here whole.
-#}
{{ config(
    materialized='incremental',
    unique_key='session_date',
    partition_by=['session_date'] if target.type == 'spark' else none
) }}

{%- set completion_threshold = var('completion_ratio_threshold', 0.9) -%}

with

sessions as (
    select * from {{ ref('playback_sessions') }}
    {%- if is_incremental() %}
        where session_date in ({{ refreshed_dates(ref('playback_sessions'), 'session_date') }})
    {%- endif %}
),

final as (
    select
        -- ids
        cast(playback_session_key as varchar(64)) as playback_session_key,
        cast(session_id as varchar(36)) as session_id,
        cast(account_id as varchar(16)) as account_id,
        cast(profile_id as varchar(16)) as profile_id,
        cast(title_id as varchar(16)) as title_id,
        cast(device as varchar(32)) as device,
        cast(country as varchar(2)) as country_code,
        cast(session_date as date) as session_date,

        -- attributes
        cast(cdn as varchar(32)) as cdn,
        cast(os as varchar(32)) as os,
        cast(app_version as varchar(32)) as app_version,
        cast(is_late_data as int) as is_late_data,

        -- engagement measures
        cast(watch_time_ms as bigint) as watch_time_ms,
        cast(watch_time_ms / 3600000.0 as decimal(18, 4)) as watch_hours,
        cast(max_position_ms as bigint) as max_position_ms,
        cast(completion_ratio as decimal(9, 6)) as completion_ratio,
        cast(
            case
                -- Reaching the end without playing (a seek) completes nothing: kpi_completed_session.
                when completion_ratio >= {{ completion_threshold }} and watch_time_ms > 0 then 1
                when completion_ratio is not null then 0
            end
            as int
        ) as is_completed,
        cast(event_count as bigint) as event_count,

        -- QoE measures
        cast(video_start_time_ms as bigint) as video_start_time_ms,
        cast(rebuffer_time_ms as bigint) as rebuffer_time_ms,
        cast(rebuffer_ratio as decimal(9, 6)) as rebuffer_ratio,
        cast(avg_bitrate_kbps as decimal(18, 1)) as avg_bitrate_kbps,
        cast(error_count as bigint) as error_count,
        cast(has_error as int) as has_error,
        cast(is_exit_before_video_start as int) as is_exit_before_video_start,
        cast(is_video_start_failure as int) as is_video_start_failure,

        -- timestamps
        cast(started_at as {{ dbt.type_timestamp() }}) as started_at,
        cast(ended_at as {{ dbt.type_timestamp() }}) as ended_at,
        {{ refresh_stamp() }} as _refreshed_at
    from sessions
)

select * from final
