{#-
    Every landed playback event once, typed and cleaned, with the first rule it
    breaks (quarantine_reason, NULL when clean). Rules in priority order:
    malformed > missing_required > bad_type > invalid_enum > invalid_range
    > future_timestamp > orphan_reference > duplicate.
    The checked events carry every rule but the last; a re-delivery's rank
    comes from int_playback_event_deliveries, which ranks only the events
    delivered more than once. A view: both parts are tables, and joining a
    few thousand ranks on read costs less than writing every event again.
-#}
{{ config(materialized='view') }}

with

final as (
    select
        checked_events._bronze_row_id,
        checked_events.event_id,
        checked_events.session_id,
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
        case
            when checked_events.rule_reason is null then coalesce(deliveries.delivery_rank, 1)
        end as delivery_rank,
        checked_events.lateness_hours,
        checked_events.is_late,
        {{ quarantine_columns([('duplicate', 'deliveries.delivery_rank > 1', [
            "'re-delivery of event_id '", 'checked_events.event_id',
            "' (delivery '", 'cast(deliveries.delivery_rank as ' ~ dbt.type_string() ~ ')', "')'"
        ])], relation='checked_events') }},
        -- Kept for quarantined rows only: a clean row's typed columns hold all of it.
        case
            when checked_events.rule_reason is not null or deliveries.delivery_rank > 1
                then checked_events._raw_payload
        end as _raw_payload,
        checked_events._source_file,
        checked_events._ingest_date,
        checked_events._loaded_at
    from {{ ref('int_playback_events_checked') }} as checked_events
    left join {{ ref('int_playback_event_deliveries') }} as deliveries
        on checked_events._bronze_row_id = deliveries._bronze_row_id
)

select * from final
