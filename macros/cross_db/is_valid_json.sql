{#- 1 when a text column holds a JSON object (what every JSON-lines record
    must be), else 0, also for NULL. A 0/1 flag rather than a boolean so the
    same SQL runs on T-SQL. -#}
{% macro is_valid_json(column) -%}
    {{ return(adapter.dispatch('is_valid_json', 'flick')(column)) }}
{%- endmacro %}

{% macro default__is_valid_json(column) -%}
    {{ exceptions.raise_compiler_error(
        "is_valid_json has no implementation for adapter '" ~ adapter.type() ~ "'; add one in macros/cross_db/is_valid_json.sql"
    ) }}
{%- endmacro %}

{#- Valid JSON whose first character after JSON's whitespace is `{` is an
    object: one parse, where json_type would parse the text a second time. -#}
{% macro duckdb__is_valid_json(column) -%}
    case when json_valid({{ column }}) and {{ flick.duckdb__opens_json_object(column) }} then 1 else 0 end
{%- endmacro %}

{% macro spark__is_valid_json(column) -%}
    case when left(ltrim({{ column }}), 1) = '{' and get_json_object({{ column }}, '$') is not null then 1 else 0 end
{%- endmacro %}

{% macro fabric__is_valid_json(column) -%}
    case when isjson({{ column }}) = 1 and left(ltrim({{ column }}), 1) = '{' then 1 else 0 end
{%- endmacro %}

{#- is_valid_json of `column` where json_fields(column, ...) already gave
    `fields`: on DuckDB json_fields is NULL exactly when the text is not valid
    JSON, so the text is not parsed again (a full parse of every line). -#}
{% macro json_fields_is_object(fields, column) -%}
    {{ return(adapter.dispatch('json_fields_is_object', 'flick')(fields, column)) }}
{%- endmacro %}

{% macro default__json_fields_is_object(fields, column) -%}
    {{ is_valid_json(column) }}
{%- endmacro %}

{% macro duckdb__json_fields_is_object(fields, column) -%}
    case when {{ fields }} is not null and {{ flick.duckdb__opens_json_object(column) }} then 1 else 0 end
{%- endmacro %}

{#- Text whose first character after JSON's whitespace is `{`: valid JSON
    that opens so is an object. -#}
{% macro duckdb__opens_json_object(column) -%}
    left(ltrim({{ column }}, chr(32) || chr(9) || chr(10) || chr(13)), 1) = '{'
{%- endmacro %}
