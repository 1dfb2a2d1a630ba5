{#- The latest timestamp a row of a daily extract can honestly carry: the end
    of its ingest date plus the clock-skew tolerance
    (var('future_tolerance_minutes')). Anything later is `future_timestamp`.
    Cast first: T-SQL's dateadd on a date returns a date. -#}
{% macro latest_credible_timestamp(ingest_date_column) -%}
    {%- set ingest_start = dbt.cast(ingest_date_column, api.Column.translate_type('timestamp')) -%}
    {{ dbt.dateadd('minute', var('future_tolerance_minutes'), dbt.dateadd('day', 1, ingest_start)) }}
{%- endmacro %}
