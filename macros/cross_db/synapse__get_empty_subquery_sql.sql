{#- dbt learns a model's column names and types (for contracts, and for
    snapshot and incremental column checks) from an empty select over the
    model's SQL. dbt-fabric wraps that SQL in a CTE, which T-SQL rejects when
    the model has CTEs of its own (nested CTEs), as every model here does. A
    view may hold CTEs, so the SQL becomes a short-lived view instead, in the
    same way dbt-synapse builds tables from views. -#}
{% macro synapse__get_empty_subquery_sql(select_sql, select_sql_header=none) -%}
    {%- set shape_view = api.Relation.create(
        database=this.database, schema=this.schema, identifier=this.identifier ~ '__dbt_shape_vw', type='view'
    ) -%}
    if object_id('{{ shape_view }}', 'V') is not null drop view {{ shape_view }};
    exec('create view {{ shape_view }} as {{ select_sql | replace("'", "''") }}');
    select * from {{ shape_view }} where 0 = 1;
    drop view {{ shape_view }};
{%- endmacro %}
