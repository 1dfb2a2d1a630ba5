{#-
    One row per playback session. Each event opens an interval that lasts until
    the session's next event; the interval is spent in the player state the
    event left the player in, carried forward over events that do not change
    it (seek, heartbeat, bitrate_change). An error halts playback until the
    next `play`. Time playing after the first `play` is watch time; time
    buffering after the first `play` is rebuffering. Buffering before the
    first `play` is start-up and counts in video start time instead.
-#}
{#-
    Incremental by session date: a run recomputes every date on which a
    session that playback_events re-placed (rows stamped since this model's
    last run) has an event, and replaces those dates whole. A session piece's
    date is the date of its first event, so these dates hold every piece the
    changed sessions have now and had before; a piece that a late event
    merged away leaves its old date, and that date is rebuilt without it.
-#}
{{ config(
    materialized='incremental',
    unique_key='session_date',
    partition_by=['session_date'] if target.type == 'spark' else none
) }}

{%- set event_order = 'client_ts, enqueued_time, eventhub_partition, sequence_number, event_id' -%}

with

{% if is_incremental() %}

    changed_sessions as (
        select distinct session_id
        from {{ ref('playback_events') }}
        where {{ refreshed_since_last_run() }}
    ),

    recomputed_dates as (
        select distinct cast(playback_events.client_ts as date) as session_date
        from {{ ref('playback_events') }} as playback_events
        inner join changed_sessions on playback_events.session_id = changed_sessions.session_id
    ),

    -- Every session with an event on a recomputed date: all pieces starting on
    -- those dates are among theirs.
    sessions_in_batch as (
        select distinct playback_events.session_id
        from {{ ref('playback_events') }} as playback_events
        inner join recomputed_dates on cast(playback_events.client_ts as date) = recomputed_dates.session_date
    ),

{% endif %}

events as (
    select
        playback_session_key,
        session_id,
        event_id,
        account_id,
        profile_id,
        title_id,
        device,
        os,
        app_version,
        cdn,
        country,
        event_type,
        position_ms,
        bitrate_kbps,
        client_ts,
        enqueued_time,
        eventhub_partition,
        sequence_number,
        is_late,
        case event_type
            when 'start' then 'starting'
            when 'play' then 'playing'
            when 'buffer_start' then 'buffering'
            when 'buffer_end' then 'playing'
            when 'pause' then 'paused'
            when 'error' then 'errored'
            when 'stop' then 'stopped'
        end as state_entered
    from {{ ref('playback_events') }}
    {%- if is_incremental() %}
        where session_id in (select sessions_in_batch.session_id from sessions_in_batch)
    {%- endif %}
),

titles as (
    select
        title_id,
        runtime_min
    from {{ ref('titles') }}
),

-- A running count of state changes (and of reported bitrates) numbers the
-- stretch of events each one governs, so the value can be carried forward
-- without `ignore nulls`, which Synapse lacks.
sequenced as (
    select
        playback_session_key,
        event_id,
        event_type,
        position_ms,
        bitrate_kbps,
        client_ts,
        is_late,
        state_entered,
        row_number() over (partition by playback_session_key order by {{ event_order }}) as event_number,
        lead(client_ts) over (partition by playback_session_key order by {{ event_order }}) as next_client_ts,
        min(case when event_type = 'play' then client_ts end)
            over (partition by playback_session_key) as first_play_at,
        count(state_entered) over (
            partition by playback_session_key order by {{ event_order }}
            rows between unbounded preceding and current row
        ) as state_stretch,
        count(bitrate_kbps) over (
            partition by playback_session_key order by {{ event_order }}
            rows between unbounded preceding and current row
        ) as bitrate_stretch
    from events
),

-- The state a stretch runs in is the one its first event entered (likewise
-- the bitrate): looked up by stretch number, a join rather than a window
-- partitioned by stretch, which would sort every event twice more.
state_stretches as (
    select
        playback_session_key,
        state_stretch,
        state_entered as player_state
    from sequenced
    where state_entered is not null
),

bitrate_stretches as (
    select
        playback_session_key,
        bitrate_stretch,
        bitrate_kbps as bitrate_in_effect_kbps
    from sequenced
    where bitrate_kbps is not null
),

intervals as (
    select
        sequenced.*,
        state_stretches.player_state,
        bitrate_stretches.bitrate_in_effect_kbps,
        {{ dbt.datediff('sequenced.client_ts', 'sequenced.next_client_ts', 'millisecond') }}
            as interval_ms
    from sequenced
    left join state_stretches
        on
            sequenced.playback_session_key = state_stretches.playback_session_key
            and sequenced.state_stretch = state_stretches.state_stretch
    left join bitrate_stretches
        on
            sequenced.playback_session_key = bitrate_stretches.playback_session_key
            and sequenced.bitrate_stretch = bitrate_stretches.bitrate_stretch
),

measured as (
    select
        *,
        case
            when player_state = 'playing' and client_ts >= first_play_at then interval_ms else 0
        end as playing_ms,
        case
            when player_state = 'buffering' and client_ts >= first_play_at then interval_ms else 0
        end as rebuffering_ms
    from intervals
),

session_totals as (
    select
        playback_session_key,
        min(client_ts) as started_at,
        max(client_ts) as ended_at,
        min(case when event_type = 'start' then client_ts end) as first_start_at,
        min(first_play_at) as first_play_at,
        count(*) as event_count,
        cast(coalesce(sum(playing_ms), 0) as {{ dbt.type_bigint() }}) as watch_time_ms,
        cast(coalesce(sum(rebuffering_ms), 0) as {{ dbt.type_bigint() }}) as rebuffer_time_ms,
        sum(case when bitrate_in_effect_kbps is not null then playing_ms end) as bitrate_measured_ms,
        sum(case when bitrate_in_effect_kbps is not null then playing_ms * bitrate_in_effect_kbps end)
            as bitrate_kbps_ms,
        cast(sum(case when event_type = 'error' then 1 else 0 end) as {{ dbt.type_bigint() }}) as error_count,
        max(case when event_type = 'start' then 1 else 0 end) as has_start,
        max(position_ms) as max_position_ms,
        -- The last event in order is the one with no next event.
        max(case when next_client_ts is null then position_ms end) as last_position_ms,
        max(is_late) as is_late_data
    from measured
    group by playback_session_key
),

-- Who watched what, where: the session's first event says. Looked up by
-- event id rather than carried through the windows above, which then sort
-- narrow rows.
first_events as (
    select
        sequenced.playback_session_key,
        playback_events.session_id,
        playback_events.account_id,
        playback_events.profile_id,
        playback_events.title_id,
        playback_events.device,
        playback_events.os,
        playback_events.app_version,
        playback_events.cdn,
        playback_events.country
    from sequenced
    inner join {{ ref('playback_events') }} as playback_events on sequenced.event_id = playback_events.event_id
    where sequenced.event_number = 1
),

final as (
    select
        first_events.playback_session_key,
        first_events.session_id,
        first_events.account_id,
        first_events.profile_id,
        first_events.title_id,
        first_events.device,
        first_events.os,
        first_events.app_version,
        first_events.cdn,
        first_events.country,
        cast(session_totals.started_at as date) as session_date,
        session_totals.started_at,
        session_totals.ended_at,
        session_totals.event_count,
        session_totals.watch_time_ms,
        case
            when session_totals.first_play_at >= session_totals.first_start_at
                then {{ dbt.datediff('session_totals.first_start_at', 'session_totals.first_play_at', 'millisecond') }}
        end as video_start_time_ms,
        session_totals.rebuffer_time_ms,
        cast(
            1.0 * session_totals.rebuffer_time_ms
            / nullif(session_totals.rebuffer_time_ms + session_totals.watch_time_ms, 0)
            as {{ dbt.type_numeric() }}
        ) as rebuffer_ratio,
        cast(
            1.0 * session_totals.bitrate_kbps_ms / nullif(session_totals.bitrate_measured_ms, 0)
            as {{ dbt.type_numeric() }}
        ) as avg_bitrate_kbps,
        session_totals.error_count,
        case when session_totals.error_count > 0 then 1 else 0 end as has_error,
        case
            when
                session_totals.has_start = 1
                and session_totals.first_play_at is null
                and session_totals.error_count = 0
                then 1
            else 0
        end as is_exit_before_video_start,
        case
            when
                session_totals.has_start = 1
                and session_totals.first_play_at is null
                and session_totals.error_count > 0
                then 1
            else 0
        end as is_video_start_failure,
        session_totals.max_position_ms,
        session_totals.last_position_ms,
        titles.runtime_min,
        cast(
            case
                when titles.runtime_min > 0 and session_totals.max_position_ms >= titles.runtime_min * 60000 then 1.0
                when titles.runtime_min > 0 then 1.0 * session_totals.max_position_ms / (titles.runtime_min * 60000)
            end
            as {{ dbt.type_numeric() }}
        ) as completion_ratio,
        session_totals.is_late_data,
        {{ refresh_stamp() }} as _refreshed_at
    from first_events
    inner join session_totals on first_events.playback_session_key = session_totals.playback_session_key
    left join titles on first_events.title_id = titles.title_id
    {%- if is_incremental() %}
        where cast(session_totals.started_at as date) in (select recomputed_dates.session_date from recomputed_dates)
    {%- endif %}
)

select * from final
