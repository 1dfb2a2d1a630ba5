{#-
    Personal data (columns tagged `pii` where they land in Bronze) may pass
    through Silver's private schema and nowhere further. Two checks:
      declared: a model outside Bronze and Silver's private schema documents
                a column tagged `pii`;
      physical: a relation in a public schema (Silver, Gold, ...) has a column
                whose name is one of the pii-tagged columns, documented or not.
    One row per offending column.
-#}
{%- set private_schemas = ['bronze', 'silver_private'] -%}
{%- set pii_column_names = [] -%}
{%- set declared = [] -%}
{%- set public_schemas = [] -%}
{%- for node in graph.nodes.values() if node.resource_type in ['model', 'snapshot', 'seed'] -%}
    {%- set is_private = node.schema | lower in private_schemas -%}
    {%- if not is_private and node.schema | lower not in public_schemas -%}
        {%- do public_schemas.append(node.schema | lower) -%}
    {%- endif -%}
    {%- for column in node.columns.values() if 'pii' in column.tags -%}
        {%- if column.name | lower not in pii_column_names -%}
            {%- do pii_column_names.append(column.name | lower) -%}
        {%- endif -%}
        {%- if not is_private -%}
            {%- do declared.append((node.schema ~ '.' ~ node.name, column.name)) -%}
        {%- endif -%}
    {%- endfor -%}
{%- endfor -%}

with declared_pii as (
    {%- for relation_name, column_name in declared %}
    select
        'declared' as check_kind,
        '{{ relation_name }}' as relation_name,
        '{{ column_name }}' as column_name
    {% if not loop.last %}union all{% endif %}
    {%- else %}
        select
            'declared' as check_kind,
            'none' as relation_name,
            'none' as column_name
        where 1 = 0
    {%- endfor %}
),

physical_pii as (
    select
        'physical' as check_kind,
        {{ dbt.concat(["table_schema", "'.'", "table_name"]) }} as relation_name,
        column_name
    from information_schema.columns
    where
        lower(table_catalog) = lower('{{ target.database }}')
        and lower(table_schema) in (
            {%- for schema_name in public_schemas %}
                '{{ schema_name }}'{{ "," if not loop.last }}
            {%- endfor %}
        )
        and lower(column_name) in (
            {%- for column_name in pii_column_names or ['no pii columns declared'] %}
                '{{ column_name }}'{{ "," if not loop.last }}
            {%- endfor %}
        )
)

select * from declared_pii
union all
select * from physical_pii
