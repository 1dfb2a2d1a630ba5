{#- Deterministic surrogate key of a landed row: a hash of the file it landed
    in, its raw text and its occurrence number among identical rows of that
    file. The occurrence number keeps ids unique when a feed re-delivers the
    exact same line twice in one file; which copy counts as first does not
    matter because the copies are identical. A window function, so it belongs
    in a select list over the landed rows, not after a filter.
    `file_partition` names a column the file's folder fixes (its ingest date):
    partitioning the window by it changes no id, and lets an engine push a
    filter on that column below the window and skip whole files.
    `occurrence` names a column that already holds the occurrence number
    (numbered_lines computes it without a window over every line). -#}
{% macro bronze_row_id(source_file, row_text, file_partition=none, occurrence=none) -%}
    {{ return(adapter.dispatch('bronze_row_id', 'flick')(source_file, row_text, file_partition, occurrence)) }}
{%- endmacro %}

{% macro default__bronze_row_id(source_file, row_text, file_partition=none, occurrence=none, partition_text=none) -%}
    {%- set occurrence_text -%}
        {%- if occurrence -%}
        cast({{ occurrence }} as {{ dbt.type_string() }})
        {%- else -%}
        cast(row_number() over (
            partition by {{ (file_partition ~ ', ') if file_partition }}{{ source_file }}, {{ partition_text or row_text }}
            order by {{ source_file }}
        ) as {{ dbt.type_string() }})
        {%- endif -%}
    {%- endset -%}
    {{ dbt.hash(dbt.concat([source_file, "'|'", occurrence_text, "'|'", row_text])) }}
{%- endmacro %}

{#- T-SQL cannot partition by an (n)varchar(max) column, so identical rows are
    grouped by the hash of their text instead. -#}
{% macro fabric__bronze_row_id(source_file, row_text, file_partition=none, occurrence=none) -%}
    {{ flick.default__bronze_row_id(source_file, row_text, file_partition, occurrence, partition_text=dbt.hash(row_text)) }}
{%- endmacro %}
