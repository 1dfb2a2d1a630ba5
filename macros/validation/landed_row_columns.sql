{#- The landed row a validated model keeps beside its verdict, as Bronze
    names it: what a quarantine shows and where the row came from. -#}
{% macro landed_row_columns(relation=none) -%}
    {%- set prefix = relation ~ '.' if relation else '' -%}
    {{ prefix }}_raw_payload, {{ prefix }}_source_file, {{ prefix }}_ingest_date, {{ prefix }}_loaded_at
{%- endmacro %}
