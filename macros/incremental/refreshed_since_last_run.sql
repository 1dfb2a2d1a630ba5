{#-
    A predicate on an upstream model's `_refreshed_at`: true for the rows it
    wrote after this model's newest stamp, i.e. what this model has not yet
    consumed. For an incremental model's incremental branch only. The stamp
    is looked up before the model runs and compared as a literal, so the
    engine skips every block of rows stamped earlier and knows the filtered
    side of a join is small; where the look-up gives nothing (offline
    compilation, an empty table) it is a scalar subquery instead.
-#}
{% macro refreshed_since_last_run() -%}
    {%- set found = {'newest': none} -%}
    {%- if execute -%}
        {%- set result = run_query('select max(_refreshed_at) as newest from ' ~ this) -%}
        {%- if result is not none and result.columns | length > 0 and result.rows | length > 0 -%}
            {%- do found.update({'newest': result.rows[0][0]}) -%}
        {%- endif -%}
    {%- endif -%}
    {%- if found.newest is not none -%}
        _refreshed_at > cast('{{ found.newest }}' as {{ dbt.type_timestamp() }})
    {%- else -%}
        _refreshed_at > (
            select coalesce(max(_refreshed_at), cast('1900-01-01' as {{ dbt.type_timestamp() }}))
            from {{ this }}
        )
    {%- endif -%}
{%- endmacro %}
