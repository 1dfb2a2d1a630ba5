{#- Text of one top-level key of a JSON object held in a text column, or NULL
    when the text is not valid JSON, the key is missing or its value is null.
    Nested arrays and objects come back as their JSON text. Invalid JSON must
    give NULL rather than an error, because Bronze keeps malformed lines. -#}
{% macro json_field(column, key) -%}
    {{ return(adapter.dispatch('json_field', 'flick')(column, key)) }}
{%- endmacro %}

{% macro default__json_field(column, key) -%}
    {{ exceptions.raise_compiler_error(
        "json_field has no implementation for adapter '" ~ adapter.type() ~ "'; add one in macros/cross_db/json_field.sql"
    ) }}
{%- endmacro %}

{#- DuckDB's json_extract_string raises on invalid JSON, hence the guard. -#}
{% macro duckdb__json_field(column, key) -%}
    case when json_valid({{ column }}) then json_extract_string({{ column }}, '$.{{ key }}') end
{%- endmacro %}

{#- get_json_object already returns NULL for invalid JSON. -#}
{% macro spark__json_field(column, key) -%}
    get_json_object({{ column }}, '$.{{ key }}')
{%- endmacro %}

{#- json_value returns NULL for arrays and objects (lax mode), json_query
    returns only those, so together they cover every value type. -#}
{% macro fabric__json_field(column, key) -%}
    case
        when isjson({{ column }}) = 1
            then coalesce(json_value({{ column }}, '$.{{ key }}'), json_query({{ column }}, '$.{{ key }}'))
    end
{%- endmacro %}
