{#-
    Proves that Silver lost no landed row: for every ingest date,
        landed rows = Silver rows + quarantined rows + de-duplicated re-deliveries
    and, row by row, every landed row id is placed exactly once (in Silver or
    in quarantine) and nothing appears there that never landed.
    Re-deliveries sit in the quarantine model with reason 'duplicate'.
    Returns one row per broken ingest date or misplaced row id.

    With `checked_model` (a table holding every landed row once, as the large
    streams' validation does) the rows are followed from that table instead
    of the Bronze view, whose every read parses every landed line again, and
    the table's rows per file are counted against the lines of the relation
    the view reads (`landed_lines_model`, one row per landed line with its
    `filename` and `ingest_date` partition column): a count that reads the
    files but parses no line. In a run that tests only what it wrote, these
    tables are incremental by ingest date, and the balance is kept to the
    ingest dates from the earliest one that landed (`landed_since`): the
    dates the run rewrote.
-#}
{% test row_conservation(
    model, silver_model, quarantine_model, entity_name,
    row_id_column='_bronze_row_id', ingest_date_column='_ingest_date',
    checked_model=none, landed_lines_model=none, file_column='_source_file'
) %}
{%- set landed_dates = landed_since(entity_name) if checked_model is not none else {'narrowed': false} -%}
{%- set written_dates = landed_since_predicate(landed_dates, ingest_date_column) %}

with landed as (
    select
        {{ row_id_column }} as row_id,
        {{ ingest_date_column }} as ingest_date
    from {{ checked_model if checked_model is not none else model }}
    where {{ written_dates }}
),
{%- if checked_model is not none %}

landed_by_file as (
    select
        {{ lake_relative_path('filename') }} as landed_file,
        count(*) as landed_lines
    from {{ landed_lines_model }}
    where {{ landed_since_predicate(landed_dates, 'ingest_date') }}
    group by filename
),

checked_by_file as (
    select
        {{ file_column }} as landed_file,
        count(*) as checked_rows
    from {{ checked_model }}
    where {{ written_dates }}
    group by {{ file_column }}
),

file_balance as (
    select
        coalesce(landed_by_file.landed_file, checked_by_file.landed_file) as landed_file,
        coalesce(landed_by_file.landed_lines, 0) as landed_lines,
        coalesce(checked_by_file.checked_rows, 0) as checked_rows
    from landed_by_file
    full outer join checked_by_file on landed_by_file.landed_file = checked_by_file.landed_file
),
{%- endif %}

kept as (
    select
        {{ row_id_column }} as row_id,
        {{ ingest_date_column }} as ingest_date,
        0 as is_quarantined,
        0 as is_redelivery
    from {{ silver_model }}
    where {{ written_dates }}
),

quarantined as (
    select
        {{ row_id_column }} as row_id,
        {{ ingest_date_column }} as ingest_date,
        1 as is_quarantined,
        case when quarantine_reason = 'duplicate' then 1 else 0 end as is_redelivery
    from {{ quarantine_model }}
    where
        entity_name = '{{ entity_name }}'
        and {{ written_dates }}
),

placed as (
    select * from kept
    union all
    select * from quarantined
),

landed_by_date as (
    select
        ingest_date,
        count(*) as landed_rows
    from landed
    group by ingest_date
),

placed_by_date as (
    select
        ingest_date,
        sum(1 - is_quarantined) as silver_rows,
        sum(is_quarantined - is_redelivery) as quarantined_rows,
        sum(is_redelivery) as redelivered_rows
    from placed
    group by ingest_date
),

all_dates as (
    select ingest_date from landed_by_date
    union
    select ingest_date from placed_by_date
),

date_balance as (
    select
        all_dates.ingest_date,
        coalesce(landed_by_date.landed_rows, 0) as landed_rows,
        coalesce(placed_by_date.silver_rows, 0) as silver_rows,
        coalesce(placed_by_date.quarantined_rows, 0) as quarantined_rows,
        coalesce(placed_by_date.redelivered_rows, 0) as redelivered_rows
    from all_dates
    left join landed_by_date on all_dates.ingest_date = landed_by_date.ingest_date
    left join placed_by_date on all_dates.ingest_date = placed_by_date.ingest_date
),

placements_per_row as (
    select
        row_id,
        count(*) as placements
    from placed
    group by row_id
),

row_balance as (
    select
        coalesce(landed.row_id, placements_per_row.row_id) as row_id,
        coalesce(placements_per_row.placements, 0) as placements,
        case when landed.row_id is null then 0 else 1 end as has_landed
    from landed
    full outer join placements_per_row on landed.row_id = placements_per_row.row_id
)

select
    'ingest date out of balance' as failure,
    {{ dbt.safe_cast("ingest_date", api.Column.translate_type("string")) }} as detail,
    landed_rows,
    silver_rows + quarantined_rows + redelivered_rows as accounted_rows
from date_balance
where landed_rows <> silver_rows + quarantined_rows + redelivered_rows

union all

select
    case when has_landed = 0 then 'row never landed' else 'row not placed exactly once' end as failure,
    row_id as detail,
    has_landed as landed_rows,
    placements as accounted_rows
from row_balance
where placements <> 1 or has_landed = 0
{%- if checked_model is not none %}

union all

select
    'file out of balance: landed lines, checked rows' as failure,
    landed_file as detail,
    landed_lines as landed_rows,
    checked_rows as accounted_rows
from file_balance
where landed_lines <> checked_rows
{%- endif %}

{% endtest %}
