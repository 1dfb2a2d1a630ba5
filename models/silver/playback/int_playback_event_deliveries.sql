{#-
    The clean copies of every event delivered more than once, ranked: among
    the rows that pass every rule (so a corrupt copy never displaces a clean
    one) the first delivery wins, by enqueued time, then partition, sequence
    number and Bronze row id. Events delivered once are not here: their one
    clean copy is rank 1. Small (re-deliveries are a fraction of a percent of
    the stream).
-#}
{#-
    Incremental by event: a run ranks again every clean copy of each event
    with a clean copy among the checked events written since its last run
    (their `_refreshed_at`) that kept its landed line, i.e. that found another
    copy; that is every event a new copy can re-rank, and it ranks exactly as
    a full refresh does. Copies are only ever added, so no event here needs
    deleting. Spark's parquet tables cannot delete by key: there it is
    rebuilt whole.
-#}
{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    unique_key='event_id'
) }}
{#- Which events to rank comes from the landed line: the checked events keep
    it on a clean row only when the event landed more than once (every copy
    in one run; in later runs, each copy that found an earlier one), so of
    two clean copies at least one kept it. Those few ids are joined back to
    every clean copy: one pass over the event ids instead of a group-by over
    all of them. The checked events are read in each place rather than
    through one CTE: an engine may materialise a CTE used twice, and here
    that copies 10M rows. -#}
{%- set checked = ref('int_playback_events_checked') -%}

with

candidate_events as (
    select distinct event_id
    from {{ checked }}
    where rule_reason is null and _raw_payload is not null
    {%- if is_incremental() %}
        and {{ refreshed_since_last_run() }}
    {%- endif %}
),

clean_copies as (
    select
        checked_events._bronze_row_id,
        checked_events.event_id,
        checked_events.enqueued_time,
        checked_events.eventhub_partition,
        checked_events.sequence_number,
        checked_events.rule_reason,
        checked_events._ingest_date,
        count(*) over (partition by checked_events.event_id) as clean_copy_count
    from {{ checked }} as checked_events
    inner join candidate_events on checked_events.event_id = candidate_events.event_id
    where checked_events.rule_reason is null
),

redelivered_copies as (
    select * from clean_copies
    where clean_copy_count > 1
),

ranked as (
    {{ ranked_deliveries(
        'redelivered_copies',
        ['event_id'],
        order_by=['enqueued_time', 'eventhub_partition', 'sequence_number', '_bronze_row_id']
    ) }}
),

final as (
    select
        _bronze_row_id,
        event_id,
        delivery_rank,
        _ingest_date,
        {{ refresh_stamp() }} as _refreshed_at
    from ranked
)

select * from final
