{#-
    Incremental by score, as social_mentions is by mention: a run writes the
    scores int_title_matches matched since its last run (their
    `_refreshed_at`). Rebuilt whole on Spark, whose parquet tables cannot
    delete by key.
-#}
{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    unique_key='review_score_id'
) }}

with

matches as (
    select
        source_record_id,
        title_id,
        match_status,
        is_matched
    from {{ ref('int_title_matches') }}
    where match_source = 'reviews'
    {%- if is_incremental() %}
        and {{ refreshed_since_last_run() }}
    {%- endif %}
),

-- In an incremental run only those records, chosen before the join so the
-- engine reads the validated rows it needs instead of building on them all.
validated as (
    select * from {{ ref('int_review_scores_validated') }}
    where quarantine_reason is null
    {%- if is_incremental() %}
        and review_score_id in (select matches.source_record_id from matches)
    {%- endif %}
),

final as (
    select
        -- ids
        validated.review_score_id,
        validated.site,
        validated.site_title_id,
        matches.title_id,

        -- attributes
        validated.title_text,
        validated.normalised_title,
        validated.release_year,
        matches.match_status,
        matches.is_matched,

        -- measures
        validated.score,
        validated.scale_min,
        validated.scale_max,
        validated.score_0_100,
        validated.vote_count,

        -- timestamps
        validated.scraped_at,

        -- lineage
        validated._bronze_row_id,
        validated._source_file,
        validated._ingest_date,
        validated._loaded_at,
        {{ refresh_stamp() }} as _refreshed_at
    from validated
    inner join matches on validated.review_score_id = matches.source_record_id
)

select * from final
