{#- Seeds on Apache Spark through dbt-spark's `session` method: its cursor
    pastes bindings into the SQL as '<value>' without escaping, so a quote
    in a seed (`Kids' TV`) breaks the insert and an empty cell becomes the
    text 'None'. This override writes each cell as an escaped literal
    instead. dbt-databricks loads seeds with its own macro and never gets here. -#}
{% macro spark__load_csv_rows(model, agate_table) -%}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set rows = [] -%}
        {%- for row in chunk -%}
            {%- set cells = [] -%}
            {%- for value in row -%}
                {%- set column_type = column_override.get(
                    agate_table.column_names[loop.index0], adapter.convert_type(agate_table, loop.index0)
                ) -%}
                {%- if value is none -%}
                    {%- set literal = 'null' -%}
                {%- elif value is number -%}
                    {%- set literal = value | string -%}
                {%- else -%}
                    {%- set literal = "'" ~ (value | string | replace('\\', '\\\\') | replace("'", "\\'")) ~ "'" -%}
                {%- endif -%}
                {%- do cells.append('cast(' ~ literal ~ ' as ' ~ column_type ~ ')') -%}
            {%- endfor -%}
            {%- do rows.append('(' ~ cells | join(', ') ~ ')') -%}
        {%- endfor -%}
        {%- set sql = 'insert into ' ~ this.render() ~ ' values ' ~ rows | join(', ') -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- do statements.append(sql) -%}
    {%- endfor -%}
    {{ return(statements[0]) }}
{%- endmacro %}
