{#- 1 when a text holds a plain whole number (digits, an optional leading
    minus, surrounding spaces allowed), else 0, also for NULL. Casting alone
    is not strict enough: DuckDB and Spark cast `2019.0` to 2019, so a
    mistyped year would pass as a year. -#}
{% macro is_integer_text(column) -%}
    {{ return(adapter.dispatch('is_integer_text', 'flick')(column)) }}
{%- endmacro %}

{% macro default__is_integer_text(column) -%}
    {{ exceptions.raise_compiler_error("is_integer_text has no implementation for adapter '" ~ adapter.type() ~ "'; add a " ~ adapter.type() ~ "__is_integer_text macro") }}
{%- endmacro %}

{% macro duckdb__is_integer_text(column) -%}
    case when regexp_full_match(trim({{ column }}), '-?[0-9]+') then 1 else 0 end
{%- endmacro %}

{% macro spark__is_integer_text(column) -%}
    case when trim({{ column }}) rlike '^-?[0-9]+$' then 1 else 0 end
{%- endmacro %}

{#- LIKE character classes stand in for a regular expression. -#}
{% macro fabric__is_integer_text(column) -%}
    case
        when ltrim(rtrim({{ column }})) like '-%'
            and substring(ltrim(rtrim({{ column }})), 2, 4000) <> ''
            and substring(ltrim(rtrim({{ column }})), 2, 4000) not like '%[^0-9]%'
            then 1
        when ltrim(rtrim({{ column }})) <> '' and ltrim(rtrim({{ column }})) not like '%[^0-9]%'
            then 1
        else 0
    end
{%- endmacro %}
