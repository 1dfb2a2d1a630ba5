{#-
    Every landed review score once, typed, cleaned and put on a 0-100 scale,
    with the first rule it breaks (quarantine_reason, NULL when clean). Rules
    in priority order:
    missing_required > bad_type > invalid_enum > invalid_range
    > future_timestamp > duplicate.
    The scale comes from the review_sites seed: score_0_100 =
    (score - scale_min) / (scale_max - scale_min) * 100, and a score outside
    its site's scale is invalid_range. Sites are compared as landed, without
    case folding (`IMDb` is not the contract's `imdb`). A score that names no catalog title is
    not quarantined: matching happens later (int_title_matches).
-#}
{#-
    Incremental: a run re-validates the ingest dates from
    incremental_window_start('_ingest_date', landed_files) on and replaces them whole,
    stamping them `_refreshed_at` for int_title_matches; a
    copy read now ranks after the clean copies already here on older dates
    (ranked_deliveries), as in a full refresh. Older dates are not
    re-validated, so a change to a site's scale in the review_sites seed
    needs `--full-refresh --select int_review_scores_validated+`.
-#}
{{ config(
    materialized='incremental',
    unique_key='_ingest_date',
    partition_by=['_ingest_date'] if target.type == 'spark' else none
) }}
{%- set required_text_fields = ['site', 'site_title_id', 'title_text'] -%}
{%- set required_typed_fields = ['score', 'vote_count', 'scraped_at'] -%}
{%- set typed_fields = {
    'score': 'decimal', 'vote_count': 'integer', 'scraped_at': 'timestamp', 'release_year': 'integer'
} -%}
{%- set landed_files = 'bronze/reviews/scores/*/*.csv' -%}
{%- set window_start = incremental_window_start('_ingest_date', landed_files) if is_incremental() else none -%}
{%- set scrape_keys = ['site', 'site_title_id', 'scraped_at'] -%}
{%- set rules = [('malformed', 'scores._intake_issue is not null', ["'unreadable row: '", 'scores._intake_issue'])]
    + missing_rules(required_text_fields, "coalesce(scores.{}, '') = ''")
    + missing_rules(required_typed_fields, 'scores.{}_raw is null')
    + mistyped_rules(typed_fields, 'scores')
    + [
        ('invalid_enum', 'review_sites.site is null', ["'site is not an accepted value: '", 'scores.site']),
        ('invalid_range', 'scores.score < review_sites.scale_min or scores.score > review_sites.scale_max', [
            "'score '", 'scores.score_raw', "' outside the '", 'scores.site', "' scale '",
            dbt.safe_cast('review_sites.scale_min', dbt.type_string()), "'-'",
            dbt.safe_cast('review_sites.scale_max', dbt.type_string())
        ]),
        ('invalid_range', 'scores.vote_count < 0', ["'vote_count is negative: '", 'scores.vote_count_raw']),
        ('invalid_range', 'scores.release_year < 1900', ["'release_year out of range: '", 'scores.release_year_raw']),
        ('future_timestamp', 'scores.scraped_at > ' ~ latest_credible_timestamp('scores._ingest_date'),
            ["'scraped_at '", 'scores.scraped_at_raw', "' is after its ingest day'"]),
    ]
-%}

with

scores as (
    select
        _bronze_row_id,
        site,
        site_title_id,
        title as title_text,
        release_year,
        release_year_raw,
        score,
        score_raw,
        vote_count,
        vote_count_raw,
        scraped_at,
        scraped_at_raw,
        _raw_payload,
        _intake_issue,
        _source_file,
        _ingest_date,
        _loaded_at
    from {{ ref('stg_reviews__scores') }}
    {%- if window_start %}
        where _ingest_date >= {{ window_start }}
    {%- endif %}
),

review_sites as (
    select
        site,
        scale_min,
        scale_max
    from {{ ref('review_sites') }}
),

checked as (
    select
        scores.*,
        review_sites.scale_min,
        review_sites.scale_max,
        {{ validation_columns(rules) }}
    from scores
    left join review_sites on scores.site = review_sites.site
),

-- Only rows that pass every rule compete for a scrape, so a corrupt copy
-- never displaces a clean one; the first landed copy wins.
ranked as (
    {{ ranked_deliveries('checked', scrape_keys, window_start=window_start) }}
),

final as (
    select
        _bronze_row_id,
        {{ dbt.hash(dbt.concat(['site', "'|'", 'site_title_id', "'|'", 'scraped_at_raw'])) }} as review_score_id,
        site,
        site_title_id,
        title_text,
        {{ normalise_title('title_text') }} as normalised_title,
        release_year,
        score,
        scale_min,
        scale_max,
        cast(
            (score - scale_min) * 100.0 / (scale_max - scale_min) as decimal(9, 4)
        ) as score_0_100,
        vote_count,
        scraped_at,
        {{ quarantine_columns([('duplicate', 'delivery_rank > 1', [
            "'re-delivery of the '", 'site', "' scrape of '", 'site_title_id', "' at '", 'scraped_at_raw',
            "' (copy '", dbt.safe_cast('delivery_rank', dbt.type_string()), "')'"
        ])]) }},
        _raw_payload,
        _source_file,
        _ingest_date,
        _loaded_at,
        {{ refresh_stamp() }} as _refreshed_at
    from ranked
)

select * from final
