{#-
    The first date an incremental run re-reads: the newest value of
    `date_column` already in this model minus var('incremental_lookback_days').
    It is looked up before the model's SQL runs, so the filter is a literal
    date that lets the engine skip whole lake files and partitions; a filter
    on a scalar subquery would read everything. Where the look-up gives
    nothing (offline compilation), the same bound is computed in SQL. Call it
    only inside `is_incremental()`.
-#}
{% macro incremental_window_start(date_column) -%}
    {%- set lookback_days = var('incremental_lookback_days') | int -%}
    {%- set newest = none -%}
    {%- if execute -%}
        {%- set result = run_query('select max(' ~ date_column ~ ') as newest from ' ~ this) -%}
        {%- if result is not none and result.columns | length > 0 and result.rows | length > 0 -%}
            {%- set newest = result.rows[0][0] -%}
        {%- endif -%}
    {%- endif -%}
    {%- if newest is not none -%}
        {%- set newest_date = modules.datetime.date.fromisoformat((newest | string)[:10]) -%}
        {%- set window_start = newest_date - modules.datetime.timedelta(days=lookback_days) -%}
        cast('{{ window_start.isoformat() }}' as date)
    {%- else -%}
        (
            select coalesce({{ dbt.dateadd('day', -lookback_days, 'max(' ~ date_column ~ ')') }}, cast('1900-01-01' as date))
            from {{ this }}
        )
    {%- endif -%}
{%- endmacro %}
