{#- One `bad_type` rule per timestamp field that is present but not the
    contract's ISO-8601 text, in the order given. -#}
{% macro timestamp_rules(fields) -%}
    {%- set rules = [] -%}
    {%- for field in fields -%}
        {%- do rules.append((
            'bad_type', field ~ ' is null', ["'" ~ field ~ " is not an ISO-8601 timestamp: '", field ~ '_raw']
        )) -%}
    {%- endfor -%}
    {{ return(rules) }}
{%- endmacro %}
