{#-
    The reporting periods the period marts come in, as data: per grain the
    name of the period column and the period's length in days. A day is its
    own period; a week is the ISO week from its Monday (`week_start`).
    Raises a compiler error for any other grain.
-#}
{% macro activity_period(grain) -%}
    {%- set periods = {
        'day': {'column': 'activity_date', 'days': 1},
        'week': {'column': 'activity_week', 'days': 7},
    } -%}
    {%- if grain not in periods -%}
        {{ exceptions.raise_compiler_error(
            "unknown grain '" ~ grain ~ "': expected one of " ~ periods.keys() | join(', ')
        ) }}
    {%- endif -%}
    {{ return(periods[grain]) }}
{%- endmacro %}
