{#-
    The first date an incremental run re-reads, as a date literal, so the
    model filters on a constant that lets the engine skip whole lake files
    and partitions (a filter on a scalar subquery would read everything).

    Given `landed_files` (the model's Bronze files under the lake root, as a
    glob) on an engine that can list the lake from SQL (DuckDB): the oldest
    ingest date holding a file that no row here came from, however old that
    date is; when every file is seen, the day after the newest date here, so
    the run reads nothing. Otherwise: the newest value of `date_column` here
    minus var('incremental_lookback_days'). Where the look-up gives nothing
    (offline compilation), that bound is computed in SQL. Outside an
    incremental run there is no window: `none`, and the model reads it all.
-#}
{% macro incremental_window_start(date_column, landed_files=none) -%}
    {%- if not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set listing = unseen_files_query(date_column, landed_files) if landed_files else none -%}
    {%- set found = {'newest': none, 'first_unseen': none} -%}
    {%- if execute -%}
        {%- set result = run_query(listing or 'select max(' ~ date_column ~ ') as newest from ' ~ this) -%}
        {%- if result is not none and result.columns | length > 0 and result.rows | length > 0 -%}
            {%- do found.update({'newest': result.rows[0][0]}) -%}
            {%- if listing -%}
                {%- do found.update({'first_unseen': result.rows[0][1]}) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
    {%- if listing and execute -%}
        {%- if found.first_unseen is not none -%}
            {%- set window_start = flick_date(found.first_unseen) -%}
        {%- elif found.newest is not none -%}
            {%- set window_start = flick_date(found.newest) + modules.datetime.timedelta(days=1) -%}
        {%- else -%}
            {%- set window_start = modules.datetime.date(1900, 1, 1) -%}
        {%- endif -%}
        cast('{{ window_start.isoformat() }}' as date)
    {%- elif found.newest is not none -%}
        {%- set lookback_days = var('incremental_lookback_days') | int -%}
        {%- set window_start = flick_date(found.newest) - modules.datetime.timedelta(days=lookback_days) -%}
        cast('{{ window_start.isoformat() }}' as date)
    {%- else -%}
        {%- set lookback_days = var('incremental_lookback_days') | int -%}
        (
            select coalesce({{ dbt.dateadd('day', -lookback_days, 'max(' ~ date_column ~ ')') }}, cast('1900-01-01' as date))
            from {{ this }}
        )
    {%- endif -%}
{%- endmacro %}

{#- A date or timestamp value from run_query as a Python date. -#}
{% macro flick_date(value) -%}
    {{ return(modules.datetime.date.fromisoformat((value | string)[:10])) }}
{%- endmacro %}
