{#-
    How many lines of each ingest date carry each event id: one JSON key per
    line, not the whole event. int_playback_events_checked reads it to know,
    before it parses the events, which of them landed more than once (their
    copies keep the landed line, since every copy but one becomes a
    `duplicate`). The id is the one stg_playback__events gives, trimmed;
    lines without one count under NULL. They are not filtered out: a filter
    on the extracted id would parse every line a second time (DuckDB
    evaluates a filter and the projection above it separately), and a NULL
    id joins nothing anyway.
-#}
with

source as (

    select
        value,
        ingest_date
    from {{ source('playback', 'events') }}

),

renamed as (

    select
        nullif(trim({{ json_field('value', 'event_id') }}), '') as event_id,
        cast(ingest_date as date) as _ingest_date
    from source

),

counted as (

    select
        _ingest_date,
        event_id,
        count(*) as landed_lines
    from renamed
    group by _ingest_date, event_id

)

select * from counted
