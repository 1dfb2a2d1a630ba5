with

validated as (
    select * from {{ ref('int_social_mentions_validated') }}
    where quarantine_reason is null
),

matches as (
    select
        source_record_id,
        title_id,
        match_status,
        is_matched
    from {{ ref('int_title_matches') }}
    where match_source = 'social'
),

final as (
    select
        -- ids
        validated.mention_id,
        matches.title_id,

        -- attributes
        validated.platform,
        validated.title_text,
        validated.normalised_title,
        validated.release_year,
        matches.match_status,
        matches.is_matched,

        -- measures
        validated.text_length,
        validated.sentiment_score,
        validated.likes,
        validated.shares,

        -- timestamps
        validated.posted_at,

        -- lineage
        validated._bronze_row_id,
        validated._source_file,
        validated._ingest_date,
        validated._loaded_at
    from validated
    inner join matches on validated.mention_id = matches.source_record_id
)

select * from final
