{#-
    The earliest ingest date of the files that landed for an entity since the
    last clean run, in a run that tests only what it wrote: `flick-ops run`
    sets FLICK_TESTS_LANDED_FROM to a JSON object
    `{"<source>.<entity>": "YYYY-MM-DD", ...}` naming every entity that got
    new, changed or removed files. Returns {'narrowed': false} when the
    variable is unset (any `dbt build` by hand, `--full-tests`, a first run),
    else {'narrowed': true, 'from_date': 'YYYY-MM-DD' or none}; none when no
    file of the entity landed (the run wrote nothing of it). Without
    `entity_name`, the earliest date over every entity.

    Only DuckDB narrows: the tests that use this read the landed files'
    `ingest_date` partition column, which prunes the files to read there.
-#}
{% macro landed_since(entity_name=none) -%}
    {%- set landed = fromjson(env_var('FLICK_TESTS_LANDED_FROM', '') or 'null') -%}
    {%- if landed is none or target.type != 'duckdb' -%}
        {%- do return({'narrowed': false}) -%}
    {%- endif -%}
    {%- set dates = [] -%}
    {%- for entity, landed_from in landed.items() if entity_name is none or entity.split('.')[-1] == entity_name -%}
        {%- do dates.append(landed_from) -%}
    {%- endfor -%}
    {%- do return({'narrowed': true, 'from_date': (dates | min) if dates else none}) -%}
{%- endmacro %}


{#- A predicate keeping `date_column` to what `landed_since` says landed ('1 = 1' when not narrowed). -#}
{% macro landed_since_predicate(landed, date_column) -%}
    {%- if not landed.narrowed -%}
        1 = 1
    {%- elif landed.from_date is none -%}
        1 = 0
    {%- else -%}
        {{ date_column }} >= cast('{{ landed.from_date }}' as date)
    {%- endif -%}
{%- endmacro %}
