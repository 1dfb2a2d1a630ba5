{#-
    Clean player events, one per event_id, each assigned to a playback session:
    a player session id, split into a new session whenever the client reuses
    the id after more than var('session_gap_minutes') of inactivity.
-#}
{#-
    Incremental: a run re-places every session that has a clean event among
    the checked events written since its last run (their `_refreshed_at`,
    refreshed_since_last_run): the ingest dates the checked events re-read. A session
    is recomputed whole, from all its clean events however old, because a
    late event can split it, merge two of its pieces or shift their keys;
    that makes an incremental run give the same rows as a full refresh.
    Rows written get `_refreshed_at`, which tells playback_sessions what moved.
    The strategy differs by engine (STYLE.md 6; set in dbt_project.yml):
    delete+insert on event_id where the engine has it; on Apache Spark, whose parquet tables cannot
    delete, insert_overwrite of whole `_ingest_date` partitions, so there the
    batch is every clean event of each ingest date a touched session spans.
    The partitioning is the unit insert_overwrite replaces, hence set here.
-#}
{{ config(
    materialized='incremental',
    unique_key='event_id',
    partition_by=['_ingest_date'] if target.type == 'spark' else none
) }}

{%- set event_order = 'client_ts, enqueued_time, eventhub_partition, sequence_number, event_id' -%}
{%- set incremental = is_incremental() -%}
{%- set replaces_whole_dates = target.type == 'spark' -%}

{#- Which events are kept comes from the validated view, read once (narrow
    rows in event_order); everything else reads the checked table it is built
    on, by Bronze row id. A relation read twice in one query, as a CTE or a
    view, may be materialised whole by the engine (DuckDB does), and here that
    copies 10M wide rows. The sessions a run re-places are found among the
    checked rows that break no rule: a superset of those with a kept event
    (a re-delivery adds its session), which only re-places a session more. -#}
{%- set validated = ref('int_playback_events_validated') -%}
{%- set checked = ref('int_playback_events_checked') -%}

with

{% if incremental %}

    touched_sessions as (
        select distinct session_id
        from {{ checked }}
        where rule_reason is null and {{ refreshed_since_last_run() }}
    ),

    {% if replaces_whole_dates %}

-- Where a touched session's events lie now, and where the table holds them
-- (a re-delivery that now wins may sit in another ingest date).
reprocessed_dates as (
    select checked_events._ingest_date
    from {{ checked }} as checked_events
    inner join touched_sessions on checked_events.session_id = touched_sessions.session_id
    where checked_events.rule_reason is null
    union
    select existing._ingest_date
    from {{ this }} as existing
    inner join touched_sessions on existing.session_id = touched_sessions.session_id
),

sessions_in_batch as (
    select distinct checked_events.session_id
    from {{ checked }} as checked_events
    inner join reprocessed_dates on checked_events._ingest_date = reprocessed_dates._ingest_date
    where checked_events.rule_reason is null
),

{% else %}

        sessions_in_batch as (
            select session_id from touched_sessions
        ),

    {% endif %}

{% endif %}

-- Each session's kept events in order, as narrow rows: the two windows below
-- sort these seven columns only, and the events' other columns are joined back.
event_order as (
    select
        validated_events._bronze_row_id,
        validated_events.event_id,
        validated_events.session_id,
        validated_events.client_ts,
        validated_events.enqueued_time,
        validated_events.eventhub_partition,
        validated_events.sequence_number
    from {{ validated }} as validated_events
    {%- if incremental %}
    inner join sessions_in_batch on validated_events.session_id = sessions_in_batch.session_id
    {%- endif %}
    where validated_events.quarantine_reason is null
),

with_previous as (
    select
        *,
        lag(client_ts) over (partition by session_id order by {{ event_order }}) as previous_client_ts
    from event_order
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
        _bronze_row_id,
        cast(sum(is_session_start) over (
            partition by session_id order by {{ event_order }} rows between unbounded preceding and current row
        ) as {{ dbt.type_bigint() }}) as session_sequence
    from flagged
),

final as (
    select
        checked_events.event_id,
        {{ dbt.concat([
            'checked_events.session_id', "'-'", 'cast(numbered.session_sequence as ' ~ dbt.type_string() ~ ')'
        ]) }} as playback_session_key,
        checked_events.session_id,
        numbered.session_sequence,
        checked_events.account_id,
        checked_events.profile_id,
        checked_events.title_id,
        checked_events.event_type,
        checked_events.device,
        checked_events.os,
        checked_events.app_version,
        checked_events.cdn,
        checked_events.country,
        checked_events.position_ms,
        checked_events.bitrate_kbps,
        checked_events.client_ts,
        checked_events.enqueued_time,
        checked_events.eventhub_partition,
        checked_events.sequence_number,
        checked_events.lateness_hours,
        checked_events.is_late,
        checked_events._bronze_row_id,
        checked_events._source_file,
        checked_events._ingest_date,
        checked_events._loaded_at,
        {{ refresh_stamp() }} as _refreshed_at
    from {{ checked }} as checked_events
    inner join numbered on checked_events._bronze_row_id = numbered._bronze_row_id
    {%- if incremental and replaces_whole_dates %}
        where checked_events._ingest_date in (select reprocessed_dates._ingest_date from reprocessed_dates)
    {%- endif %}
)

select * from final
