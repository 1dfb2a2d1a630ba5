{#-
    The clean copies of every event delivered more than once, ranked: among
    the rows that pass every rule (so a corrupt copy never displaces a clean
    one) the first delivery wins, by enqueued time, then partition, sequence
    number and Bronze row id. Events delivered once are not here: their one
    clean copy is rank 1. Small (re-deliveries are a fraction of a percent of
    the stream), so it is rebuilt whole each run from every checked event,
    and ranks exactly as a full refresh does.
-#}
{#- The checked events are read in each place rather than through one CTE: an
    engine may materialise a CTE used twice, and here that copies 10M rows. -#}
{%- set checked = ref('int_playback_events_checked') -%}

with

redelivered_events as (
    select event_id
    from {{ checked }}
    where rule_reason is null
    group by event_id
    having count(*) > 1
),

ranked as (
    select
        checked_events._bronze_row_id,
        checked_events.event_id,
        cast(row_number() over (
            partition by checked_events.event_id
            order by
                checked_events.enqueued_time,
                checked_events.eventhub_partition,
                checked_events.sequence_number,
                checked_events._bronze_row_id
        ) as {{ dbt.type_bigint() }}) as delivery_rank,
        checked_events._ingest_date
    from {{ checked }} as checked_events
    inner join redelivered_events on checked_events.event_id = redelivered_events.event_id
    where checked_events.rule_reason is null
)

select * from ranked
