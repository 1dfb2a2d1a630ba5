{#-
    First day of the `grain` period (`activity_period`) a date falls in: the
    date itself for a day, its Monday for a week.
-#}
{% macro period_start(grain, date_column) -%}
    {%- if activity_period(grain).days == 1 -%}
        {{ date_column }}
    {%- else -%}
        {{ week_start(date_column) }}
    {%- endif -%}
{%- endmacro %}
