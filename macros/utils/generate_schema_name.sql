{#- Layers get their own schema named after the layer (bronze, silver, gold),
    not dbt's default "<target schema>_<layer>", so that every engine and every
    developer sees the same names. Without a custom schema, the target's schema. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
