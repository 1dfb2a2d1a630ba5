{#- One key's text from what json_fields kept: the same value json_field
    gives for it (NULL for invalid JSON, a missing key or JSON null). -#}
{% macro json_fields_value(fields, keys, key) -%}
    {{ return(adapter.dispatch('json_fields_value', 'flick')(fields, keys, key)) }}
{%- endmacro %}

{% macro default__json_fields_value(fields, keys, key) -%}
    {{ json_field(fields, key) }}
{%- endmacro %}

{% macro duckdb__json_fields_value(fields, keys, key) -%}
    {%- if key not in keys -%}
        {{ exceptions.raise_compiler_error("json_fields_value: '" ~ key ~ "' is not one of the keys parsed: " ~ keys | join(', ')) }}
    {%- endif -%}
    {{ fields }}[{{ keys.index(key) + 1 }}]
{%- endmacro %}
