{#-
    When this dbt invocation started (UTC), as a timestamp literal: the
    `_refreshed_at` of every row an incremental model writes. A downstream
    incremental model takes the upstream rows stamped after its own newest
    stamp, so a run that failed half-way is caught up by the next one.
-#}
{% macro refresh_stamp() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}
