{#- One `future_timestamp` rule per timestamp field: later than its row's
    ingest date allows (`latest_credible_timestamp`). `detail` gives the
    detail's parts, `{}` standing for the field's name. -#}
{% macro future_timestamp_rules(fields, detail=["'{} after its ingest date: '", '{}_raw']) -%}
    {%- set rules = [] -%}
    {%- for field in fields -%}
        {%- set parts = [] -%}
        {%- for part in detail -%}
            {%- do parts.append(part | replace('{}', field)) -%}
        {%- endfor -%}
        {%- do rules.append(('future_timestamp', field ~ ' > ' ~ latest_credible_timestamp('_ingest_date'), parts)) -%}
    {%- endfor -%}
    {{ return(rules) }}
{%- endmacro %}
