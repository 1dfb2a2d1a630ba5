{#-
    Incremental by ingest date: a run replaces the dates of the checked
    events written since its last run (their `_refreshed_at`), and the dates
    holding a clean copy of an event among them, whose delivery rank a new
    copy may have moved (a copy enqueued earlier but landed later takes rank
    1 from it). A row's own rule is settled when its date is checked, so no
    other date changes. A date whose every quarantined row has left keeps
    them until a full refresh; with rules only ever adding rows to a date,
    that takes a reference that lands late on a date that is read again.
-#}
{{ config(
    materialized='incremental',
    unique_key='_ingest_date',
    partition_by=['_ingest_date'] if target.type == 'spark' else none
) }}
{%- set checked = ref('int_playback_events_checked') -%}
{%- set deliveries = ref('int_playback_event_deliveries') -%}

with

{% if is_incremental() %}

    refreshed_events as (
        select
            event_id,
            rule_reason,
            _ingest_date
        from {{ checked }}
        where {{ refreshed_since_last_run() }}
    ),

    replaced_dates as (
        select _ingest_date from refreshed_events
        union
        select deliveries._ingest_date
        from {{ deliveries }} as deliveries
        inner join refreshed_events
            on
                deliveries.event_id = refreshed_events.event_id
                and refreshed_events.rule_reason is null
    ),

{% endif %}

rejected as (
    select
        _bronze_row_id,
        'playback' as source_name,
        'events' as entity_name,
        quarantine_reason,
        quarantine_detail,
        _raw_payload,
        _source_file,
        _ingest_date,
        _loaded_at,
        {{ refresh_stamp() }} as _refreshed_at
    from {{ ref('int_playback_events_validated') }}
    where quarantine_reason is not null
    {%- if is_incremental() %}
        and _ingest_date in (select replaced_dates._ingest_date from replaced_dates)
    {%- endif %}
)

select * from rejected
