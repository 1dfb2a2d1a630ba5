{#- One `missing_required` rule per field, in the order given. -#}
{% macro missing_rules(fields, condition='{} is null') -%}
    {%- set rules = [] -%}
    {%- for field in fields -%}
        {%- do rules.append(('missing_required', condition | replace('{}', field), "'" ~ field ~ " is missing'")) -%}
    {%- endfor -%}
    {{ return(rules) }}
{%- endmacro %}
