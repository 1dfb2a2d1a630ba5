{#-
    Monday of the ISO week a date falls in, as a date. DuckDB and Spark
    truncate to Monday; T-SQL's week follows the session's DATEFIRST, so it
    counts days from a known Monday (1900-01-01) instead.
-#}
{% macro week_start(date_column) -%}
    {{ return(adapter.dispatch('week_start', 'flick')(date_column)) }}
{%- endmacro %}

{#- DuckDB and Spark (and the default). -#}
{% macro default__week_start(date_column) -%}
    cast({{ dbt.date_trunc('week', date_column) }} as date)
{%- endmacro %}

{#- T-SQL (Synapse). -#}
{% macro fabric__week_start(date_column) -%}
    dateadd(day, -(datediff(day, cast('1900-01-01' as date), {{ date_column }}) % 7), cast({{ date_column }} as date))
{%- endmacro %}
