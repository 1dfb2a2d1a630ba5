{#- 1 when a key of a JSON-lines payload holds a JSON string ("false")
    rather than a bare literal (false), else 0. Bronze reads every field as
    text, which hides that difference, yet a boolean sent as text breaks the
    contract. Matches compact and single-spaced JSON, as the app writes it. -#}
{% macro json_value_is_quoted(payload_column, key) -%}
    case
        when {{ payload_column }} like '%"{{ key }}":"%' or {{ payload_column }} like '%"{{ key }}": "%' then 1
        else 0
    end
{%- endmacro %}
