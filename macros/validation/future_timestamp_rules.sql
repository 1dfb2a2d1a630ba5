{#- One `future_timestamp` rule per timestamp field: later than its row's
    ingest date allows (`latest_credible_timestamp`). -#}
{% macro future_timestamp_rules(fields) -%}
    {%- set rules = [] -%}
    {%- for field in fields -%}
        {%- do rules.append((
            'future_timestamp',
            field ~ ' > ' ~ latest_credible_timestamp('_ingest_date'),
            ["'" ~ field ~ " after its ingest date: '", field ~ '_raw']
        )) -%}
    {%- endfor -%}
    {{ return(rules) }}
{%- endmacro %}
