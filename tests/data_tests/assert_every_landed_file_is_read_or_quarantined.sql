{#-
    The file half of row conservation: every file landed under `bronze/` is
    either read (its canonical copy is in the intake zone and Bronze holds
    exactly the records the intake counted in it) or quarantined as a file
    with a reason. Returns one row per file that breaks this, with what is
    wrong. Hidden files and markers (`_SUCCESS`, `.crc`) carry no data and
    are not landed files. DuckDB only: it lists the lake with glob(); on
    Synapse and Databricks the platform's intake job owns the listing. In a
    run that tests only what it wrote, the record counts (which read every
    line) are kept to the ingest dates from the earliest one that landed
    (`landed_since`); every file is still listed against the manifest.
-#}
{{ config(enabled=target.type == 'duckdb', tags=['bronze']) }}
{%- set lake = lake_root() -%}
{%- set landed_dates = landed_since() -%}
{%- set landing_tables = [
    ('app', 'accounts'), ('app', 'profiles'), ('app', 'ratings'), ('app', 'subscription_events'),
    ('app', 'watchlist_adds'), ('playback', 'events'), ('reviews', 'scores'), ('social', 'mentions'),
    ('studio', 'originals'), ('vendor', 'catalog'), ('vendor', 'license_windows')
] -%}

with

landed as (
    select substr(file, {{ (lake ~ '/') | length + 1 }}) as landed_file
    from glob('{{ lake }}/bronze/**')
    where not regexp_matches(substr(file, {{ (lake ~ '/bronze/') | length + 1 }}), '(^|/)[_.][^/]*')
),

manifest as (
    select
        landed_file,
        intake_file,
        status,
        records,
        ingest_date
    from {{ ref('stg_intake__landed_files') }}
),

copies as (
    select substr(file, {{ (lake ~ '/_intake/') | length + 1 }}) as intake_file
    from glob('{{ lake }}/_intake/bronze/**')
    where not regexp_matches(file, '/[_.][^/]*$')
),

bronze_records as (
    {%- for source_name, table_name in landing_tables %}
        select
            {{ lake_relative_path('filename') }} as intake_file,
            count(*) as records
        from {{ source(source_name, table_name) }}
        where {{ landed_since_predicate(landed_dates, 'ingest_date') }}
        group by filename
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

problems as (
    select
        coalesce(landed.landed_file, manifest.landed_file) as landed_file,
        case
            when manifest.landed_file is null then 'landed but never taken in: run `flick-ops intake`'
            when landed.landed_file is null then 'in the intake manifest but no longer landed'
        end as problem
    from landed
    full outer join manifest on landed.landed_file = manifest.landed_file
    union all
    select
        manifest.landed_file,
        case
            when copies.intake_file is null then 'read, but its intake copy is missing'
            when coalesce(bronze_records.records, 0) <> manifest.records
                then concat(
                        'the intake counted ', manifest.records, ' records, Bronze reads ',
                        coalesce(bronze_records.records, 0)
                    )
        end as problem
    from manifest
    left join copies on manifest.intake_file = copies.intake_file
    left join bronze_records on manifest.intake_file = bronze_records.intake_file
    where
        manifest.status = 'read'
        and {{ landed_since_predicate(landed_dates, 'manifest.ingest_date') }}
)

select * from problems
where problem is not null
