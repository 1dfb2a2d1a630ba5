{#-
    A query giving, in one row, the newest `date_column` of this model
    (`newest`) and the oldest ingest date holding a landed file that no row
    of this model came from (`first_unseen`, NULL when every file is seen),
    for incremental_window_start; or none where the engine cannot list the
    lake from SQL. `landed_files` is a glob of the entity's files, relative
    to the lake root (`bronze/playback/events/*/*.jsonl`), looked up where
    the model's source reads them: the intake zone (`_intake/`); rows name
    their file in `_source_file`, relative to the lake root. Landed files are
    immutable (Event Hubs capture and `flick-ops ingest` write each batch as
    a new file, renamed into place), so a seen path needs no second look. An
    empty file (no row can name it) makes its date re-read on every run.
-#}
{% macro unseen_files_query(date_column, landed_files) -%}
    {{ return(adapter.dispatch('unseen_files_query', 'flick')(date_column, landed_files)) }}
{%- endmacro %}

{% macro default__unseen_files_query(date_column, landed_files) -%}
    {{ return(none) }}
{%- endmacro %}

{% macro duckdb__unseen_files_query(date_column, landed_files) -%}
    {%- set query -%}
        with

        landed as (
            select {{ lake_relative_path('file') }} as source_file
            from glob('{{ lake_root() }}/_intake/{{ landed_files }}')
        ),

        seen as (
            select distinct _source_file
            from {{ this }}
        ),

        unseen as (
            select cast(regexp_extract(landed.source_file, 'ingest_date=(\d{4}-\d{2}-\d{2})', 1) as date) as ingest_date
            from landed
            left join seen on landed.source_file = seen._source_file
            where seen._source_file is null
        )

        select
            (select max({{ date_column }}) from {{ this }}) as newest,
            (select min(ingest_date) from unseen) as first_unseen
    {%- endset -%}
    {{ return(query) }}
{%- endmacro %}
