{#-
    The checked -> ranked -> validated steps of a model whose rows have one
    key, as CTEs ending in the model's final select: `cleaned` checked
    against `rules`, the copies of a key ranked among the rows that break no
    rule, then `columns` with the verdict and the landed row. A copy after
    the first is `duplicate`: its detail is `redelivery` and the copy's rank
    when given, else the row kept.
-#}
{% macro validated_rows(cleaned, rules, keys, columns, redelivery=none, window_start=none, last_columns=[]) -%}
    {%- if redelivery is none -%}
        {%- set duplicate_detail = ["'same " ~ keys | join(' and ') ~ " as row '", 'kept_row_id'] -%}
    {%- else -%}
        {%- set duplicate_detail = redelivery
            + ["' (copy '", dbt.safe_cast('delivery_rank', dbt.type_string()), "')'"] -%}
    {%- endif -%}
    checked as (
        select
            {{ cleaned }}.*,
            {{ validation_columns(rules) }}
        from {{ cleaned }}
    ),

    ranked as (
        {{ ranked_deliveries('checked', keys, window_start=window_start, with_kept_row_id=redelivery is none) }}
    ),

    validated as (
        select
            _bronze_row_id,
            {%- for column in columns %}
                {{ column }},
            {%- endfor %}
            {{ quarantine_columns([('duplicate', 'delivery_rank > 1', duplicate_detail)]) }},
            {{ landed_row_columns() }}
            {%- for column in last_columns %},
                {{ column }}
            {%- endfor %}
        from ranked
    )

    select * from validated
{%- endmacro %}
