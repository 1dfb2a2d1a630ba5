{#-
    Last day of the `grain` period (`activity_period`) that starts on
    `start_column`: the day itself for a day, the Sunday for a week.
-#}
{% macro period_end(grain, start_column) -%}
    {%- set days = activity_period(grain).days -%}
    {%- if days == 1 -%}
        {{ start_column }}
    {%- else -%}
        cast({{ dbt.dateadd('day', days - 1, start_column) }} as date)
    {%- endif -%}
{%- endmacro %}
