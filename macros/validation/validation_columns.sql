{#-
    One ordered rule list gives both columns, so a reason and its detail
    cannot drift apart: a row takes the code and the detail of the first
    rule whose condition holds.
-#}
{% macro validation_columns(rules, earlier=none, reason_as='rule_reason', detail_as='rule_detail') -%}
    case
        {%- if earlier %}
            when {{ earlier[0] }} is not null then {{ earlier[0] }}
        {%- endif %}
        {%- for code, condition, detail in rules %}
            when {{ condition }} then '{{ code }}'
        {%- endfor %}
    end as {{ reason_as }},
    case
        {%- if earlier %}
            when {{ earlier[0] }} is not null then {{ earlier[1] }}
        {%- endif %}
        {%- for code, condition, detail in rules %}
            when {{ condition }} then {{ detail if detail is string else dbt.concat(detail) }}
        {%- endfor %}
    end as {{ detail_as }}
{%- endmacro %}
