{#-
    A CSV row with more fields than its file's header loses the extra fields
    when DuckDB reads it (null_padding keeps the row, but not the surplus), so
    Bronze alone cannot show the loss. This check reads the same files as raw
    lines and returns one row per landed line that is wider than its header.
    Fields are counted as commas outside quoted sections, plus one; a quoted
    field spanning several lines would be miscounted, which the feeds do not
    send. The header is the line made only of column names. DuckDB only: on
    Synapse and Databricks the platform's external tables do the reading.
-#}
{{ config(enabled=target.type == 'duckdb', tags=['bronze']) }}

with

landed_lines as (

    select
        'vendor.catalog' as landed_entity,
        filename,
        value
    from {{ source('vendor', 'catalog_lines') }}
    union all
    select
        'vendor.license_windows' as landed_entity,
        filename,
        value
    from {{ source('vendor', 'license_windows_lines') }}
    union all
    select
        'reviews.scores' as landed_entity,
        filename,
        value
    from {{ source('reviews', 'scores_lines') }}

),

unquoted as (

    select
        landed_entity,
        filename,
        value,
        regexp_full_match(value, '[a-z_]+(,[a-z_]+)*') as is_header,
        regexp_replace(value, '"([^"]|"")*"', '', 'g') as text_outside_quotes
    from landed_lines
    where value is not null

),

field_counts as (

    select
        landed_entity,
        filename,
        value,
        is_header,
        1 + length(text_outside_quotes) - length(replace(text_outside_quotes, ',', '')) as field_count
    from unquoted

),

header_widths as (

    select
        filename,
        max(field_count) as header_width
    from field_counts
    where is_header
    group by filename

)

select
    field_counts.landed_entity,
    field_counts.filename,
    field_counts.field_count,
    header_widths.header_width,
    field_counts.value as landed_line
from field_counts
inner join header_widths on field_counts.filename = header_widths.filename
where
    not field_counts.is_header
    and field_counts.field_count > header_widths.header_width
