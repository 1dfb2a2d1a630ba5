{#- A text as the inside of a JSON string, in T-SQL for Synapse dedicated SQL
    pools, which lack STRING_ESCAPE: backslash and double quote escaped,
    tab, line feed, carriage return, backspace and form feed as \t \n \r \b
    \f, the other control characters as \u00XX. Backslashes go first, so the
    escapes added later are not escaped again. -#}
{% macro tsql_json_string(text) -%}
    {%- set short_escapes = {8: 'b', 9: 't', 10: 'n', 12: 'f', 13: 'r'} -%}
    {%- set control_replacements = [] -%}
    {%- for code in range(1, 32) -%}
        {%- set escape = short_escapes[code] if code in short_escapes else 'u00' ~ '%02x' | format(code) -%}
        {%- do control_replacements.append(", char(" ~ code ~ "), '\\" ~ escape ~ "')") -%}
    {%- endfor -%}
    {{ 'replace(' * (control_replacements | length) }}replace(replace({{ text }}, '\', '\\'), '"', '\"'){{ control_replacements | join('') }}
{%- endmacro %}
