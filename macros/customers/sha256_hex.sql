{#- Lower-case hex SHA-256 of a text expression (UTF-8 bytes). -#}
{% macro sha256_hex(expression) -%}
    {{ return(adapter.dispatch('sha256_hex', 'flick')(expression)) }}
{%- endmacro %}

{#- Spark SQL (Databricks). -#}
{% macro default__sha256_hex(expression) -%}
    sha2({{ expression }}, 256)
{%- endmacro %}

{% macro duckdb__sha256_hex(expression) -%}
    sha256({{ expression }})
{%- endmacro %}

{#- T-SQL hashes the bytes it is given: the same hash as the other engines
    for varchar (ASCII, or a UTF-8 collation), not for nvarchar (UTF-16).
    Style 2 prints hex without the `0x`. -#}
{% macro fabric__sha256_hex(expression) -%}
    lower(convert(varchar(64), hashbytes('SHA2_256', {{ expression }}), 2))
{%- endmacro %}
