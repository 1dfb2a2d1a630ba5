{#-
    The dates on which `upstream` holds rows it wrote since this model's last
    run (refreshed_since_last_run), as a subquery:
    `where session_date in ({{ refreshed_dates(ref('playback_sessions'), 'session_date') }})`.
    A model replacing whole dates rebuilds exactly these. For an incremental
    model's incremental branch only.
-#}
{% macro refreshed_dates(upstream, date_column) -%}
    select distinct {{ date_column }}
    from {{ upstream }}
    where {{ refreshed_since_last_run() }}
{%- endmacro %}
