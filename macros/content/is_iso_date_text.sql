{#- 1 when a text is laid out as the contract's dates, `YYYY-MM-DD` with
    digits (surrounding spaces allowed), else 0, also for NULL. A layout
    check beside the cast, because DuckDB also casts `2026/10/01` to a date.
    Whether the digits make a real date is the cast's job. -#}
{% macro is_iso_date_text(column) -%}
    {{ return(adapter.dispatch('is_iso_date_text', 'flick')(column)) }}
{%- endmacro %}

{% macro default__is_iso_date_text(column) -%}
    {{ exceptions.raise_compiler_error("is_iso_date_text has no implementation for adapter '" ~ adapter.type() ~ "'; add a " ~ adapter.type() ~ "__is_iso_date_text macro") }}
{%- endmacro %}

{% macro duckdb__is_iso_date_text(column) -%}
    case when regexp_full_match(trim({{ column }}), '[0-9]{4}-[0-9]{2}-[0-9]{2}') then 1 else 0 end
{%- endmacro %}

{% macro spark__is_iso_date_text(column) -%}
    case when trim({{ column }}) rlike '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' then 1 else 0 end
{%- endmacro %}

{% macro fabric__is_iso_date_text(column) -%}
    case
        when ltrim(rtrim({{ column }})) like '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' then 1 else 0
    end
{%- endmacro %}
