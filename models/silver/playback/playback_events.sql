{#-
    Clean player events, one per event_id, each assigned to a playback session:
    a player session id, split into a new session whenever the client reuses
    the id after more than var('session_gap_minutes') of inactivity.
-#}
{%- set event_order = 'client_ts, enqueued_time, eventhub_partition, sequence_number, event_id' -%}

with

clean_events as (
    select * from {{ ref('int_playback_events_validated') }}
    where quarantine_reason is null
),

with_previous as (
    select
        *,
        lag(client_ts) over (partition by session_id order by {{ event_order }}) as previous_client_ts
    from clean_events
),

-- Exactly the gap is still the same session: only a longer silence splits.
flagged as (
    select
        *,
        case
            when previous_client_ts is null then 1
            when client_ts > {{ dbt.dateadd('minute', var('session_gap_minutes'), 'previous_client_ts') }} then 1
            else 0
        end as is_session_start
    from with_previous
),

numbered as (
    select
        *,
        cast(sum(is_session_start) over (
            partition by session_id order by {{ event_order }} rows between unbounded preceding and current row
        ) as {{ dbt.type_bigint() }}) as session_sequence
    from flagged
),

final as (
    select
        event_id,
        {{ dbt.concat(['session_id', "'-'", 'cast(session_sequence as ' ~ dbt.type_string() ~ ')']) }}
            as playback_session_key,
        session_id,
        session_sequence,
        account_id,
        profile_id,
        title_id,
        event_type,
        device,
        os,
        app_version,
        cdn,
        country,
        position_ms,
        bitrate_kbps,
        client_ts,
        enqueued_time,
        eventhub_partition,
        sequence_number,
        lateness_hours,
        is_late,
        _bronze_row_id,
        _source_file,
        _ingest_date,
        _loaded_at
    from numbered
)

select * from final
