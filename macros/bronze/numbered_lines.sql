{#- The landed lines of a JSON-lines source (`value`, `filename`, and the
    `file_partition` column its folder gives), each with `source_file` (its
    file as lake_relative_path names it) and `_bronze_row_id`, the id
    bronze_row_id gives it. For the large streams: bronze_row_id numbers
    identical lines of a file with a window over every line, and that window
    holds the whole stream (GBs of text) before a row comes out.
    Select from it in a source's first CTE; a filter on `file_partition`
    still reaches the files. -#}
{% macro numbered_lines(relation, file_partition) -%}
    {{ return(adapter.dispatch('numbered_lines', 'flick')(relation, file_partition)) }}
{%- endmacro %}

{% macro default__numbered_lines(relation, file_partition) -%}
    select
        value,
        filename,
        {{ file_partition }},
        source_file,
        {{ bronze_row_id('source_file', "coalesce(value, '')", file_partition=file_partition) }} as _bronze_row_id
    from (
        select
            *,
            {{ lake_relative_path('filename') }} as source_file
        from {{ relation }}
    ) as lines
{%- endmacro %}

{#- Identical lines are rare: a streaming pre-pass finds them by a 64-bit hash
    of the text (a false match only routes a line through the exact branch),
    every other line is its file's first copy, and only the few identical
    ones are numbered by a window. The relation is named in each branch, not
    in a CTE, so DuckDB streams it instead of materialising it; the branches
    join (not semi/anti join) the pre-pass so that DuckDB carries a filter on
    `file_partition` over to it, and an incremental run reads only its days. -#}
{% macro duckdb__numbered_lines(relation, file_partition) -%}
    {%- set same_line -%}
        lines.{{ file_partition }} = repeated_lines.{{ file_partition }}
        and lines.filename = repeated_lines.filename
        and hash(lines.value) = repeated_lines.line_hash
    {%- endset -%}
    {%- set row_id -%}
        {{ bronze_row_id('lines.source_file', "coalesce(lines.value, '')", occurrence='lines.occurrence') }}
    {%- endset -%}
    with repeated_lines as (
        select
            {{ file_partition }},
            filename,
            hash(value) as line_hash
        from {{ relation }}
        group by {{ file_partition }}, filename, hash(value)
        having count(*) > 1
    ),

    single_lines as (
        select
            lines.value,
            lines.filename,
            lines.{{ file_partition }},
            1 as occurrence
        from {{ relation }} as lines
        left join repeated_lines on {{ same_line }}
        where repeated_lines.line_hash is null
    ),

    repeated_lines_numbered as (
        select
            lines.value,
            lines.filename,
            lines.{{ file_partition }},
            row_number() over (
                partition by lines.{{ file_partition }}, lines.filename, lines.value order by lines.filename
            ) as occurrence
        from {{ relation }} as lines
        inner join repeated_lines on {{ same_line }}
    )

    select
        lines.value,
        lines.filename,
        lines.{{ file_partition }},
        lines.source_file,
        {{ row_id }} as _bronze_row_id
    from (
        select
            *,
            {{ lake_relative_path('filename') }} as source_file
        from (
            select * from single_lines
            union all
            select * from repeated_lines_numbered
        ) as numbered
    ) as lines
{%- endmacro %}
