{#- Typed Bronze columns each with its landed text (`<column>_raw`, the
    Bronze convention), for rules that tell a missing value from a mistyped
    one; qualified by `relation` when given. -#}
{% macro typed_columns(relation, columns) -%}
    {%- set prefix = relation ~ '.' if relation else '' -%}
    {%- for column in columns -%}
        {{ prefix }}{{ column }}, {{ prefix }}{{ column }}_raw{% if not loop.last %}, {% endif %}
    {%- endfor -%}
{%- endmacro %}
