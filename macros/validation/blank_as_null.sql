{#- Text columns of `relation` with an empty text read as missing (NULL),
    each under its own name. -#}
{% macro blank_as_null(relation, columns) -%}
    {%- for column in columns -%}
        nullif({{ relation }}.{{ column }}, '') as {{ column }}{% if not loop.last %}, {% endif %}
    {%- endfor -%}
{%- endmacro %}
