{#-
    The checked -> ranked -> validated steps of a model whose rows have one
    key, as CTEs ending in the model's final select: `cleaned` checked
    against `rules`, the copies of a key ranked among the rows that break no
    rule, then `columns` with the verdict and the landed row. A copy after
    the first is `duplicate` and its detail names the row kept.
-#}
{% macro validated_rows(cleaned, rules, keys, columns, window_start=none) -%}
    checked as (
        select
            {{ cleaned }}.*,
            {{ validation_columns(rules) }}
        from {{ cleaned }}
    ),

    ranked as (
        {{ ranked_deliveries('checked', keys, window_start=window_start, with_kept_row_id=true) }}
    ),

    validated as (
        select
            _bronze_row_id,
            {%- for column in columns %}
                {{ column }},
            {%- endfor %}
            {{ quarantine_columns([
                ('duplicate', 'delivery_rank > 1', ["'same " ~ keys | join(' and ') ~ " as row '", 'kept_row_id'])
            ]) }},
            {{ landed_row_columns() }}
        from ranked
    )

    select * from validated
{%- endmacro %}
