{#-
    Continuous percentile (linear interpolation) of a column as a WINDOW
    expression over the `partition_by` columns, NULLs ignored. T-SQL has
    `percentile_cont` only as a window function, so every engine gets the
    window shape: compute percentiles in their own CTE with `select distinct`
    over the partition columns, then join them to the grouped measures.
-#}
{% macro percentile_cont(column, fraction, partition_by) -%}
    {%- if partition_by is string or not partition_by -%}
        {{ exceptions.raise_compiler_error("percentile_cont: partition_by must be a non-empty list of columns") }}
    {%- endif -%}
    {{ return(adapter.dispatch('percentile_cont', 'flick')(column, fraction, partition_by)) }}
{%- endmacro %}

{#- DuckDB (and the default). -#}
{% macro default__percentile_cont(column, fraction, partition_by) -%}
    quantile_cont({{ column }}, {{ fraction }}) over (partition by {{ partition_by | join(', ') }})
{%- endmacro %}

{#- Spark's `percentile` is exact and interpolates like `percentile_cont`;
    `percentile_approx` would not match the other engines. -#}
{% macro spark__percentile_cont(column, fraction, partition_by) -%}
    percentile({{ column }}, {{ fraction }}) over (partition by {{ partition_by | join(', ') }})
{%- endmacro %}

{#- T-SQL (Synapse). -#}
{% macro fabric__percentile_cont(column, fraction, partition_by) -%}
    percentile_cont({{ fraction }}) within group (order by {{ column }})
        over (partition by {{ partition_by | join(', ') }})
{%- endmacro %}
