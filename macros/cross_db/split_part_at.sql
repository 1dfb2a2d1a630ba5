{#- The `position`-th item (1-based) of a delimited text, where the position
    is a column rather than a literal. dbt.split_part needs a literal on
    Synapse and Spark (it branches on the number in Jinja), and Synapse's
    string_split has no ordinal, so a list joined to a spine of positions
    comes through here. -#}
{% macro split_part_at(text, delimiter, position) -%}
    {{ return(adapter.dispatch('split_part_at', 'flick')(text, delimiter, position)) }}
{%- endmacro %}

{#- DuckDB and Spark both have split_part with a literal (not regex) delimiter. -#}
{% macro default__split_part_at(text, delimiter, position) -%}
    split_part({{ text }}, {{ delimiter }}, {{ position }})
{%- endmacro %}

{#- The list as a JSON array of strings, indexed by a computed path (0-based). -#}
{% macro fabric__split_part_at(text, delimiter, position) -%}
    json_value(
        concat('["', replace({{ tsql_json_string(text) }}, {{ delimiter }}, '","'), '"]'),
        concat('$[', {{ position }} - 1, ']')
    )
{%- endmacro %}
