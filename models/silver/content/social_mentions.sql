{#-
    Incremental by mention: a run writes the mentions int_title_matches
    matched since its last run (their `_refreshed_at`), which are every clean
    mention the validated model wrote again and every mention matched again
    after a catalog change. A mention id stays clean once it is, so no row
    here needs deleting. Spark's parquet tables cannot delete by key: there
    it is rebuilt whole.
-#}
{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    unique_key='mention_id'
) }}

with

matches as (
    select
        source_record_id,
        title_id,
        match_status,
        is_matched
    from {{ ref('int_title_matches') }}
    where match_source = 'social'
    {%- if is_incremental() %}
        and {{ refreshed_since_last_run() }}
    {%- endif %}
),

-- In an incremental run only those records, chosen before the join so the
-- engine reads the validated rows it needs instead of building on them all.
validated as (
    select * from {{ ref('int_social_mentions_validated') }}
    where quarantine_reason is null
    {%- if is_incremental() %}
        and mention_id in (select matches.source_record_id from matches)
    {%- endif %}
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
        validated._loaded_at,
        {{ refresh_stamp() }} as _refreshed_at
    from validated
    inner join matches on validated.mention_id = matches.source_record_id
)

select * from final
