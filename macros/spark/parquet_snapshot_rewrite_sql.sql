{#- The whole new content of a parquet snapshot: what dbt-spark's MERGE
    (spark__snapshot_merge_sql) would leave in the table. A current version
    that the staging view updates or deletes gets the staged `dbt_valid_to`;
    a staged insert whose version is not in the table yet is appended.
    Columns follow the table's order, so the result can overwrite it by
    position; a column the snapshot query no longer selects is NULL in new
    versions, as `insert *` leaves it. -#}
{% macro parquet_snapshot_rewrite_sql(target_relation, staging_relation, columns) -%}
    {%- set target_columns = adapter.get_columns_in_relation(target_relation) | map(attribute='name') | list -%}
    {%- set staged_columns = adapter.get_columns_in_relation(staging_relation) | map(attribute='name') | list -%}
    {%- set valid_to_current = config.get('dbt_valid_to_current') -%}
    select
        {%- for column in target_columns %}
        {% if column == columns.dbt_valid_to -%}
        case when closed.{{ columns.dbt_scd_id }} is null then existing.{{ column }} else closed.{{ column }} end as {{ column }}
        {%- else -%}
        existing.{{ column }}
        {%- endif %}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ target_relation }} as existing
    left join (
        select
            {{ columns.dbt_scd_id }},
            {{ columns.dbt_valid_to }}
        from {{ staging_relation }}
        where dbt_change_type in ('update', 'delete')
    ) as closed
        on
            existing.{{ columns.dbt_scd_id }} = closed.{{ columns.dbt_scd_id }}
            and (
                existing.{{ columns.dbt_valid_to }} is null
                {%- if valid_to_current %}
                or existing.{{ columns.dbt_valid_to }} = {{ valid_to_current }}
                {%- endif %}
            )
    union all
    select
        {%- for column in target_columns %}
        {{ 'staged.' ~ column if column in staged_columns else 'null as ' ~ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ staging_relation }} as staged
    left anti join {{ target_relation }} as existing
        on staged.{{ columns.dbt_scd_id }} = existing.{{ columns.dbt_scd_id }}
    where staged.dbt_change_type = 'insert'
{%- endmacro %}
