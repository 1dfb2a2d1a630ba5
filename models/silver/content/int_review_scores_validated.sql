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
    incremental_window_start('_ingest_date', ...) on and replaces them whole,
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
{%- set window_start = incremental_window_start('_ingest_date', 'bronze/reviews/scores/*/*.csv') -%}
{%- set scrape_keys = ['site', 'site_title_id', 'scraped_at'] -%}
{%- set rules = [('malformed', '_intake_issue is not null', ["'unreadable row: '", '_intake_issue'])]
    + field_rules(required_text_fields, required_typed_fields, typed_fields)
    + [
        ('invalid_enum', 'known_site is null', ["'site is not an accepted value: '", 'site']),
        ('invalid_range', 'score < scale_min or score > scale_max', [
            "'score '", 'score_raw', "' outside the '", 'site', "' scale '",
            dbt.safe_cast('scale_min', dbt.type_string()), "'-'",
            dbt.safe_cast('scale_max', dbt.type_string())
        ]),
        ('invalid_range', 'vote_count < 0', ["'vote_count is negative: '", 'vote_count_raw']),
        ('invalid_range', 'release_year < 1900', ["'release_year out of range: '", 'release_year_raw']),
    ]
    + future_timestamp_rules(['scraped_at'], ["'{} '", '{}_raw', "' is after its ingest day'"])
-%}

with

scores as (
    select
        landed._bronze_row_id,
        landed._intake_issue,
        landed.site,
        landed.site_title_id,
        landed.title as title_text,
        {{ typed_columns('landed', typed_fields) }},
        review_sites.site as known_site,
        review_sites.scale_min,
        review_sites.scale_max,
        {{ landed_row_columns('landed') }}
    from {{ ref('stg_reviews__scores') }} as landed
    left join {{ ref('review_sites') }} as review_sites on landed.site = review_sites.site
    {% if window_start %}where landed._ingest_date >= {{ window_start }}{% endif %}
),

-- The first clean landing of a scrape is kept.
{{ validated_rows(
    'scores',
    rules,
    scrape_keys,
    [
        dbt.hash(dbt.concat(['site', "'|'", 'site_title_id', "'|'", 'scraped_at_raw'])) ~ ' as review_score_id',
        'site', 'site_title_id', 'title_text', normalise_title('title_text') ~ ' as normalised_title',
        'release_year', 'score', 'scale_min', 'scale_max',
        'cast((score - scale_min) * 100.0 / (scale_max - scale_min) as decimal(9, 4)) as score_0_100',
        'vote_count', 'scraped_at'
    ],
    redelivery=["'re-delivery of the '", 'site', "' scrape of '", 'site_title_id', "' at '", 'scraped_at_raw'],
    window_start=window_start,
    last_columns=[refresh_stamp() ~ ' as _refreshed_at'],
) }}
