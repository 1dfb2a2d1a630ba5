{#-
    Quality of experience per UTC day, CDN, device and country (where
    watched). Ratios are ratios of sums over the group's sessions, never
    averages of per-session ratios, and the summed milliseconds are kept so
    a dashboard can roll the ratio up correctly. Percentiles come from
    `percentile_cont`, a window on every engine (T-SQL has no aggregate
    form), hence their own CTE with `select distinct`.
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

{%- set grain = ['activity_date', 'cdn', 'device', 'country_code'] -%}

with

sessions as (
    select
        session_date as activity_date,
        cdn,
        device,
        country_code,
        video_start_time_ms,
        rebuffer_time_ms,
        watch_time_ms,
        has_error,
        is_exit_before_video_start,
        is_video_start_failure
    from {{ ref('fct_playback_sessions') }}
    {%- if is_incremental() %}
        where session_date in ({{ refreshed_dates(ref('fct_playback_sessions'), 'session_date') }})
    {%- endif %}
),

session_totals as (
    select
        {{ grain | join(',\n        ') }},
        count(*) as sessions,
        count(video_start_time_ms) as video_started_sessions,
        sum(rebuffer_time_ms) as rebuffer_time_ms,
        sum(watch_time_ms) as watch_time_ms,
        sum(has_error) as failed_sessions,
        sum(is_exit_before_video_start) as exits_before_video_start,
        sum(is_video_start_failure) as video_start_failures
    from sessions
    group by
        {{ grain | join(',\n        ') }}
),

-- Only sessions that reached `play` after a `start` have a video start time.
video_start_percentiles as (
    select distinct
        {{ grain | join(',\n        ') }},
        {{ percentile_cont('video_start_time_ms', 0.5, grain) }} as video_start_time_p50_ms,
        {{ percentile_cont('video_start_time_ms', 0.95, grain) }} as video_start_time_p95_ms
    from sessions
    where video_start_time_ms is not null
),

final as (
    select
        cast(session_totals.activity_date as date) as activity_date,
        cast(session_totals.cdn as varchar(32)) as cdn,
        cast(session_totals.device as varchar(32)) as device,
        cast(session_totals.country_code as varchar(2)) as country_code,
        cast(session_totals.sessions as bigint) as sessions,
        cast(session_totals.video_started_sessions as bigint) as video_started_sessions,
        -- Interpolating whole milliseconds at 0.5 or 0.95 lands on a multiple of 0.05 ms: two decimals hold
        -- it exactly, where one would round a float at .x5 differently from engine to engine.
        cast(video_start_percentiles.video_start_time_p50_ms as decimal(18, 2)) as video_start_time_p50_ms,
        cast(video_start_percentiles.video_start_time_p95_ms as decimal(18, 2)) as video_start_time_p95_ms,
        cast(session_totals.rebuffer_time_ms as bigint) as rebuffer_time_ms,
        cast(session_totals.watch_time_ms as bigint) as watch_time_ms,
        cast(
            1.0 * session_totals.rebuffer_time_ms
            / nullif(session_totals.rebuffer_time_ms + session_totals.watch_time_ms, 0)
            as decimal(9, 6)
        ) as rebuffering_ratio,
        cast(session_totals.failed_sessions as bigint) as failed_sessions,
        cast(1.0 * session_totals.failed_sessions / session_totals.sessions as decimal(9, 6)) as playback_failure_rate,
        cast(session_totals.video_start_failures as bigint) as video_start_failures,
        cast(session_totals.exits_before_video_start as bigint) as exits_before_video_start,
        cast(
            1.0 * session_totals.exits_before_video_start / session_totals.sessions
            as decimal(9, 6)
        ) as exit_before_video_start_rate,
        {{ refresh_stamp() }} as _refreshed_at
    from session_totals
    left join video_start_percentiles
        on
            session_totals.activity_date = video_start_percentiles.activity_date
            and session_totals.cdn = video_start_percentiles.cdn
            and session_totals.device = video_start_percentiles.device
            and session_totals.country_code = video_start_percentiles.country_code
)

select * from final
