{#- The vendor catalog's dates as the public catalog writes them
    (`September 25, 2021`, sometimes with a leading space) as a date; NULL for
    any text that does not parse, never an error, so one bad cell cannot fail
    a build: the caller decides what a NULL means. -#}
{% macro parse_vendor_date(column) -%}
    {{ return(adapter.dispatch('parse_vendor_date', 'flick')(column)) }}
{%- endmacro %}

{% macro default__parse_vendor_date(column) -%}
    {{ exceptions.raise_compiler_error("parse_vendor_date has no implementation for adapter '" ~ adapter.type() ~ "'; add a " ~ adapter.type() ~ "__parse_vendor_date macro") }}
{%- endmacro %}

{#- %d also reads a day without its leading zero (`September 5, 2021`). -#}
{% macro duckdb__parse_vendor_date(column) -%}
    cast(try_strptime(trim({{ column }}), '%B %d, %Y') as date)
{%- endmacro %}

{#- try_to_timestamp rather than to_date: under ANSI mode (the Databricks SQL
    default) to_date raises on text that does not parse. -#}
{% macro spark__parse_vendor_date(column) -%}
    cast(try_to_timestamp(trim({{ column }}), 'MMMM d, yyyy') as date)
{%- endmacro %}

{#- Style 107 is `Mon dd, yyyy`; under us_english SQL Server reads full month
    names with it too. ltrim/rtrim because dedicated pools lack trim(). -#}
{% macro fabric__parse_vendor_date(column) -%}
    try_convert(date, ltrim(rtrim({{ column }})), 107)
{%- endmacro %}
