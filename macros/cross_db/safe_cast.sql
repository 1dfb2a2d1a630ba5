{#- dbt-duckdb ships no safe_cast, so dbt's default (a plain CAST) would fail
    a whole query on one mistyped value. This override of dbt's dispatched
    macro makes dbt.safe_cast return NULL instead, as it does on Spark and
    T-SQL (try_cast). -#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}
