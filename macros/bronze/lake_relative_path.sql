{#- The path of a landed file relative to the lake root, `bronze/<source>/
    <entity>/ingest_date=YYYY-MM-DD/<file>`, whatever the lake is mounted as
    (a local folder, abfss://bronze@..., /dbfs/...). Lineage columns and the
    row ids hashed from them must not change when the same lake is read from
    another path, or incremental models would see every old row as new. -#}
{% macro lake_relative_path(path) -%}
    {{ return(adapter.dispatch('lake_relative_path', 'flick')(path)) }}
{%- endmacro %}

{#- Spark SQL: the whole match of the last four folders under bronze/. -#}
{% macro default__lake_relative_path(path) -%}
    regexp_extract({{ path }}, 'bronze/[^/]+/[^/]+/[^/]+/[^/]+$', 0)
{%- endmacro %}

{% macro duckdb__lake_relative_path(path) -%}
    regexp_extract({{ path }}, 'bronze/[^/]+/[^/]+/[^/]+/[^/]+$')
{%- endmacro %}

{#- T-SQL has no regular expressions: cut at the last `bronze/`, found as the
    first `/eznorb` in the reversed path (7 characters, hence + 6). -#}
{% macro fabric__lake_relative_path(path) -%}
    right({{ path }}, charindex('/eznorb', reverse({{ path }})) + 6)
{%- endmacro %}
