with

validated as (
    select * from {{ ref('int_license_windows_validated') }}
    where quarantine_reason is null
),

final as (
    select
        -- ids
        license_id,
        show_id as title_id,

        -- attributes
        territory,
        license_type,
        case when license_type = 'exclusive' then 1 else 0 end as is_exclusive,

        -- measures
        fee_usd,
        {{ dbt.datediff('window_start', 'window_end', 'day') }}
        + 1 as window_days,

        -- timestamps
        window_start,
        window_end,

        -- lineage
        _bronze_row_id,
        _source_file,
        _ingest_date,
        _loaded_at
    from validated
)

select * from final
