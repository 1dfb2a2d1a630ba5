{#- The vendor catalog's dates as a date: `YYYY-MM-DD`, which the intake
    writes for every value in a format the landing contract declares, or the
    public catalog's own `September 25, 2021` (sometimes with a leading
    space); NULL for any text that does not parse, never an error, so one bad
    cell cannot fail a build: the caller decides what a NULL means. -#}
{% macro parse_vendor_date(column) -%}
    {{ return(adapter.dispatch('parse_vendor_date', 'flick')(column)) }}
{%- endmacro %}

{% macro default__parse_vendor_date(column) -%}
    {{ exceptions.raise_compiler_error("parse_vendor_date has no implementation for adapter '" ~ adapter.type() ~ "'; add a " ~ adapter.type() ~ "__parse_vendor_date macro") }}
{%- endmacro %}

{#- %d also reads a day without its leading zero (`September 5, 2021`). -#}
{% macro duckdb__parse_vendor_date(column) -%}
    cast(coalesce(
        try_strptime(trim({{ column }}), '%Y-%m-%d'),
        try_strptime(trim({{ column }}), '%B %d, %Y')
    ) as date)
{%- endmacro %}

{#- try_to_timestamp rather than to_date: under ANSI mode (the Databricks SQL
    default) to_date raises on text that does not parse. -#}
{% macro spark__parse_vendor_date(column) -%}
    cast(coalesce(
        try_to_timestamp(trim({{ column }}), 'yyyy-MM-dd'),
        try_to_timestamp(trim({{ column }}), 'MMMM d, yyyy')
    ) as date)
{%- endmacro %}

{#- Style 23 is `yyyy-mm-dd`; style 107 is `Mon dd, yyyy`, and under
    us_english SQL Server reads full month names with it too. ltrim/rtrim
    because dedicated pools lack trim(). -#}
{% macro fabric__parse_vendor_date(column) -%}
    coalesce(
        try_convert(date, ltrim(rtrim({{ column }})), 23),
        try_convert(date, ltrim(rtrim({{ column }})), 107)
    )
{%- endmacro %}
