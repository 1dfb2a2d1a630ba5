with

validated as (
    select * from {{ ref('int_originals_validated') }}
    where quarantine_reason is null
),

final as (
    select
        -- ids
        _bronze_row_id,
        original_id,

        -- attributes
        title_name,
        normalised_title,
        title_type,
        genres,
        genre_count,
        maturity_rating,
        release_date,
        release_year,

        -- measures
        runtime_min,
        season_count,
        episode_count,
        budget_usd,

        -- timestamps
        updated_at,

        -- lineage
        _source_file,
        _ingest_date,
        _loaded_at
    from validated
)

select * from final
