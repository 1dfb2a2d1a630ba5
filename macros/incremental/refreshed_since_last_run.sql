{#-
    A predicate on an upstream model's `_refreshed_at`: true for the rows it
    wrote after this model's newest stamp, i.e. what this model has not yet
    consumed. For an incremental model's incremental branch only.
-#}
{% macro refreshed_since_last_run() -%}
    _refreshed_at > (
        select coalesce(max(_refreshed_at), cast('1900-01-01' as {{ dbt.type_timestamp() }}))
        from {{ this }}
    )
{%- endmacro %}
