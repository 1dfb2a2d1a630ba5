{#- Typed Bronze columns of `relation` each with its landed text
    (`<column>_raw`, the Bronze convention), for rules that tell a missing
    value from a mistyped one. -#}
{% macro typed_columns(relation, columns) -%}
    {%- for column in columns -%}
        {{ relation }}.{{ column }}, {{ relation }}.{{ column }}_raw{% if not loop.last %}, {% endif %}
    {%- endfor -%}
{%- endmacro %}
