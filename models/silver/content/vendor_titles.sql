with

validated as (
    select * from {{ ref('int_vendor_titles_validated') }}
    where quarantine_reason is null
),

final as (
    select
        -- ids
        _bronze_row_id,
        show_id,

        -- attributes
        title_type,
        title_name,
        normalised_title,
        release_year,
        director,
        cast_members,
        production_countries,
        maturity_rating,
        genres,
        genre_count,
        description,
        duration_raw,

        -- measures
        runtime_min,
        season_count,

        -- timestamps
        date_added,

        -- drift
        is_schema_drift_batch,
        missing_columns,

        -- lineage
        _source_file,
        _ingest_date,
        _loaded_at
    from validated
)

select * from final
