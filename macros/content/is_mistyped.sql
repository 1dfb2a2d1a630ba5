{#- SQL condition, true when a landed field is present but is not a value of
    its logical type: the Bronze safe cast gave NULL, or the text has a layout
    the cast tolerates but the contract does not (`2019.0` for an integer,
    `2026/10/01` for a date). `column` is the typed Bronze column (qualified
    as needed); its landed text is, by the Bronze convention, `<column>_raw`.
    `logical_type` is one of integer, date, decimal, timestamp. -#}
{% macro is_mistyped(column, logical_type) -%}
    {%- set raw = column ~ '_raw' -%}
    ({{ raw }} is not null and ({{ column }} is null
    {%- if logical_type == 'integer' %} or {{ is_integer_text(raw) }} = 0
    {%- elif logical_type == 'date' %} or {{ is_iso_date_text(raw) }} = 0
    {%- elif logical_type not in ('decimal', 'timestamp') -%}
        {{ exceptions.raise_compiler_error("is_mistyped: unknown logical type '" ~ logical_type ~ "'") }}
    {%- endif %}))
{%- endmacro %}
