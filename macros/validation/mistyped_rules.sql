{#- One `bad_type` rule per typed field (`is_mistyped`), in the order given;
    the detail quotes the landed text. -#}
{% macro mistyped_rules(typed_fields, relation=none) -%}
    {%- set prefix = relation ~ '.' if relation else '' -%}
    {%- set rules = [] -%}
    {%- for field, logical_type in typed_fields.items() -%}
        {%- do rules.append((
            'bad_type',
            is_mistyped(prefix ~ field, logical_type),
            ["'" ~ field ~ " is not a valid value: '", prefix ~ field ~ '_raw']
        )) -%}
    {%- endfor -%}
    {{ return(rules) }}
{%- endmacro %}
