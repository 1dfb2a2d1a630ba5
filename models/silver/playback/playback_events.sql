{#-
    Clean player events, one per event_id, each assigned to a playback session:
    a player session id, split into a new session whenever the client reuses
    the id after more than var('session_gap_minutes') of inactivity.
-#}
{#-
    Incremental: a run re-places every session that has a clean event in the
    ingest dates the validated events re-read (incremental_window_start, the
    newest ingest date here minus var('incremental_lookback_days')). A session
    is recomputed whole, from all its clean events however old, because a
    late event can split it, merge two of its pieces or shift their keys;
    that makes an incremental run give the same rows as a full refresh.
    Rows written get `_refreshed_at`, which tells playback_sessions what moved.
    The strategy differs by engine (STYLE.md 6): delete+insert on event_id
    where the engine has it; on Apache Spark, whose parquet tables cannot
    delete, insert_overwrite of whole `_ingest_date` partitions, so there the
    batch is every clean event of each ingest date a touched session spans.
    The partitioning is the unit insert_overwrite replaces, hence set here.
-#}
{{ config(
    materialized='incremental',
    unique_key='event_id',
    incremental_strategy='insert_overwrite' if target.type == 'spark' else 'delete+insert',
    partition_by=['_ingest_date'] if target.type == 'spark' else none,
    on_schema_change='fail'
) }}

{%- set event_order = 'client_ts, enqueued_time, eventhub_partition, sequence_number, event_id' -%}
{%- set window_start = incremental_window_start('_ingest_date') if is_incremental() else none -%}
{%- set replaces_whole_dates = target.type == 'spark' -%}

with

validated_events as (
    select * from {{ ref('int_playback_events_validated') }}
    where quarantine_reason is null
),

{% if window_start %}

    touched_sessions as (
        select distinct session_id
        from validated_events
        where _ingest_date >= {{ window_start }}
    ),

    {% if replaces_whole_dates %}

-- Where a touched session's events lie now, and where the table holds them
-- (a re-delivery that now wins may sit in another ingest date).
reprocessed_dates as (
    select validated_events._ingest_date
    from validated_events
    inner join touched_sessions on validated_events.session_id = touched_sessions.session_id
    union
    select existing._ingest_date
    from {{ this }} as existing
    inner join touched_sessions on existing.session_id = touched_sessions.session_id
),

sessions_in_batch as (
    select distinct validated_events.session_id
    from validated_events
    inner join reprocessed_dates on validated_events._ingest_date = reprocessed_dates._ingest_date
),

{% else %}

        sessions_in_batch as (
            select session_id from touched_sessions
        ),

    {% endif %}

{% endif %}

clean_events as (
    select validated_events.*
    from validated_events
    {%- if window_start %}
    inner join sessions_in_batch on validated_events.session_id = sessions_in_batch.session_id
    {%- endif %}
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
        _loaded_at,
        {{ refresh_stamp() }} as _refreshed_at
    from numbered
    {%- if window_start and replaces_whole_dates %}
        where _ingest_date in (select reprocessed_dates._ingest_date from reprocessed_dates)
    {%- endif %}
)

select * from final
