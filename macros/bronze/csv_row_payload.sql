{#- One text holding every field of a CSV row, as a JSON array of strings in
    the given column order (`["s1","Movie",null,...]`): unambiguous even when
    fields contain commas or quotes, and NULL where a drifted file lacks the
    column. Bronze keeps it as `_raw_payload`, the CSV twin of a JSON line. -#}
{% macro csv_row_payload(columns) -%}
    {{ return(adapter.dispatch('csv_row_payload', 'flick')(columns)) }}
{%- endmacro %}

{% macro default__csv_row_payload(columns) -%}
    {{ exceptions.raise_compiler_error(
        "csv_row_payload has no implementation for adapter '" ~ adapter.type() ~ "'"
    ) }}
{%- endmacro %}

{% macro duckdb__csv_row_payload(columns) -%}
    cast(to_json(list_value({{ columns | join(', ') }})) as {{ dbt.type_string() }})
{%- endmacro %}

{% macro spark__csv_row_payload(columns) -%}
    to_json(array({{ columns | join(', ') }}))
{%- endmacro %}

{#- Neither json_array() nor string_escape() exists on Synapse dedicated pools,
    so each value is escaped by tsql_json_string. -#}
{% macro fabric__csv_row_payload(columns) -%}
    {%- set items = [] -%}
    {%- for column in columns -%}
        {%- do items.append(
            "case when " ~ column ~ " is null then 'null' else concat('\"', " ~ tsql_json_string(column) ~ ", '\"') end"
        ) -%}
    {%- endfor -%}
    concat('[', concat_ws(',', {{ items | join(', ') }}), ']')
{%- endmacro %}
