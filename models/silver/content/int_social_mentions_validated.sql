{#-
    Every landed social mention once, typed and cleaned, with the first rule it
    breaks (quarantine_reason, NULL when clean). Rules in priority order:
    malformed > missing_required > bad_type > invalid_enum > invalid_range
    > future_timestamp > duplicate.
    Enums are compared as landed, without case folding (`X` is not the
    contract's `x`). A mention that names no catalog title is not quarantined: matching happens
    later (int_title_matches) and keeps unmatched mentions visible.
-#}
{#-
    Incremental: a run re-validates the ingest dates from
    incremental_window_start('_ingest_date', ...) on and replaces them whole,
    stamping them `_refreshed_at` for int_title_matches, so the cost of a run
    follows what landed, not the feed's history. A copy
    read now ranks after the clean copies already here on older dates
    (ranked_deliveries), so its rank is the same as a full refresh gives.
-#}
{{ config(
    materialized='incremental',
    unique_key='_ingest_date',
    partition_by=['_ingest_date'] if target.type == 'spark' else none
) }}
{%- set platforms = ['x', 'instagram', 'tiktok', 'reddit', 'youtube', 'facebook'] -%}
{%- set typed_fields = {
    'posted_at': 'timestamp', 'text_length': 'integer', 'sentiment_score': 'decimal',
    'likes': 'integer', 'shares': 'integer', 'release_year': 'integer'
} -%}
{%- set rules = [('malformed', '_is_valid_json = 0', "'not a JSON object'")]
    + field_rules(
        ['mention_id', 'platform', 'title_text'],
        ['posted_at', 'text_length', 'sentiment_score', 'likes', 'shares'],
        typed_fields
    )
    + [
        ('invalid_enum', "platform not in ('" ~ platforms | join("', '") ~ "')",
            ["'platform is not an accepted value: '", 'platform']),
        ('invalid_range', 'sentiment_score < -1 or sentiment_score > 1',
            ["'sentiment_score outside [-1, 1]: '", 'sentiment_score_raw']),
        ('invalid_range', 'text_length < 0 or likes < 0 or shares < 0', [
            "'negative count (text_length/likes/shares): '",
            'text_length_raw', "'/'", 'likes_raw', "'/'", 'shares_raw'
        ]),
        ('invalid_range', 'release_year < 1900', ["'release_year out of range: '", 'release_year_raw']),
    ]
    + future_timestamp_rules(['posted_at'], ["'{} '", '{}_raw', "' is after its ingest day'"])
-%}
{%- set window_start = incremental_window_start('_ingest_date', 'bronze/social/mentions/*/*.jsonl') -%}

with

mentions as (
    select
        _bronze_row_id,
        _is_valid_json,
        mention_id,
        platform,
        title_text,
        {{ typed_columns(none, typed_fields) }},
        {{ landed_row_columns() }}
    from {{ ref('stg_social__mentions') }}
    {% if window_start %}where _ingest_date >= {{ window_start }}{% endif %}
),

-- The first clean landing of a mention_id is kept.
{{ validated_rows(
    'mentions',
    rules,
    ['mention_id'],
    [
        'mention_id', 'platform', 'title_text', normalise_title('title_text') ~ ' as normalised_title',
        'release_year', 'posted_at', 'text_length', 'sentiment_score', 'likes', 'shares'
    ],
    redelivery=["'re-delivery of mention_id '", 'mention_id'],
    window_start=window_start,
    last_columns=[refresh_stamp() ~ ' as _refreshed_at'],
) }}
