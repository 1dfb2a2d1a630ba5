{#- Several top-level keys of a JSON object, parsed once per row where the
    engine can: select `json_fields(column, keys)` in one CTE, then read each
    key with `json_fields_value` in the next. DuckDB parses the text once
    into a list of texts (one json_extract_string per key would parse it once
    per key, the largest cost of reading the playback stream); other engines
    keep the text and extract per key with json_field. -#}
{% macro json_fields(column, keys) -%}
    {{ return(adapter.dispatch('json_fields', 'flick')(column, keys)) }}
{%- endmacro %}

{% macro default__json_fields(column, keys) -%}
    {{ column }}
{%- endmacro %}

{% macro duckdb__json_fields(column, keys) -%}
    case
        when json_valid({{ column }})
            then json_extract_string({{ column }}, [{% for key in keys %}'$.{{ key }}'{{ ', ' if not loop.last }}{% endfor %}])
    end
{%- endmacro %}
