{#- Snapshots on Apache Spark with parquet tables (local Spark: `flick-ops parity`).
    dbt-spark's snapshot materialisation writes with MERGE, which only Delta,
    Iceberg and Hudi tables take, and their jars come from Maven. Parquet
    tables cannot be updated in place, so a later run rewrites the table:
    the existing versions (the replaced ones closed) plus the new versions
    are staged in a parquet table, then the snapshot is overwritten from it.
    Spark refuses to overwrite a table that the same statement reads, hence
    the staging table. Any other file format goes to dbt-spark's own
    materialisation; Databricks has its own and never gets here. -#}
{% materialization snapshot, adapter='spark' %}

    {%- if (config.get('file_format') or 'parquet') != 'parquet' -%}
        {{ return(dbt.materialization_snapshot_spark()) }}
    {%- endif -%}

    {%- set grant_config = config.get('grants') -%}
    {%- set target_relation_exists, target_relation = get_or_create_relation(
        database=none,
        schema=model.schema,
        identifier=model.get('alias', model.get('name')),
        type='table'
    ) -%}
    {%- if not target_relation.is_table -%}
        {%- do exceptions.relation_wrong_type(target_relation, 'table') -%}
    {%- endif -%}
    {%- if not adapter.check_schema_exists(model.database, model.schema) -%}
        {%- do create_schema(model.schema) -%}
    {%- endif -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {%- set strategy_macro = strategy_dispatch(config.get('strategy')) -%}
    {%- set strategy = strategy_macro(model, 'snapshotted_data', 'source_data', model['config'], target_relation_exists) -%}

    {%- if not target_relation_exists -%}
        {%- set final_sql = create_table_as(False, target_relation, build_snapshot_table(strategy, model['compiled_code'])) -%}
    {%- else -%}
        {%- set columns = config.get('snapshot_table_column_names') or get_snapshot_table_column_names() -%}
        {%- do adapter.valid_snapshot_target(target_relation, columns) -%}
        {%- set staging_table = spark_build_snapshot_staging_table(strategy, sql, target_relation) -%}
        {%- set missing_columns = adapter.get_missing_columns(staging_table, target_relation)
            | rejectattr('name', 'in', ['dbt_change_type', 'dbt_unique_key'])
            | list -%}
        {%- do create_columns(target_relation, missing_columns) -%}

        {%- set rewrite_relation = target_relation.incorporate(
            path={'identifier': target_relation.identifier ~ '__dbt_rewrite'}
        ) -%}
        {%- do adapter.drop_relation(rewrite_relation) -%}
        {%- call statement('stage_snapshot_rewrite') -%}
            {{ create_table_as(False, rewrite_relation, parquet_snapshot_rewrite_sql(target_relation, staging_table, columns)) }}
        {%- endcall -%}
        {%- set final_sql -%}
            insert overwrite table {{ target_relation }} select * from {{ rewrite_relation }}
        {%- endset -%}
    {%- endif -%}

    {%- call statement('main') -%}
        {{ final_sql }}
    {%- endcall -%}

    {%- do apply_grants(target_relation, grant_config, should_revoke(target_relation_exists, full_refresh_mode=False)) -%}
    {%- do persist_docs(target_relation, model) -%}

    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {{ adapter.commit() }}

    {%- if staging_table is defined -%}
        {%- do adapter.drop_relation(rewrite_relation) -%}
        {%- do post_snapshot(staging_table) -%}
    {%- endif -%}

    {{ run_hooks(post_hooks, inside_transaction=False) }}

    {{ return({'relations': [target_relation]}) }}

{% endmaterialization %}
