{#-
    Every landed watchlist addition once, typed and cleaned, with the first
    rule it breaks (quarantine_reason, NULL when clean). Its account, its
    profile (of that same account) and its title must be known to Silver;
    the first clean landing of an event_id is kept.
-#}
{#-
    Incremental: a run re-validates the ingest dates from
    incremental_window_start('_ingest_date', ...) on and replaces them
    whole; a copy read now ranks after the clean copies already here on older
    dates (ranked_deliveries) and names the one kept there, as a full refresh
    does. Older dates are not read again, so an addition is checked against
    the accounts, profiles and titles Silver holds when its date is processed:
    a parent that lands later does not revive it until a full refresh.
-#}
{{ config(
    materialized='incremental',
    unique_key='_ingest_date',
    partition_by=['_ingest_date'] if target.type == 'spark' else none
) }}
{%- set window_start = incremental_window_start('_ingest_date', 'bronze/app/watchlist_adds/*/*.jsonl') -%}
{%- set title_id_is_a_number = dbt.safe_cast('title_id', api.Column.translate_type('bigint')) ~ ' is not null' -%}
{%- set rules = [('malformed', '_is_valid_json = 0', "'line is not a JSON object'")]
    + missing_rules(['event_id', 'account_id', 'profile_id', 'title_id'])
    + missing_rules(['added_at'], '{}_raw is null')
    + timestamp_rules(['added_at'])
    + [('bad_type', title_id_is_a_number, ["'title_id is a number, not a title id: '", 'title_id'])]
    + future_timestamp_rules(['added_at'])
    + profile_reference_rules()
-%}

with

cleaned as (
    select
        adds._bronze_row_id,
        adds._is_valid_json,
        {{ typed_columns('adds', ['added_at']) }},
        {{ blank_as_null('adds', ['event_id', 'account_id', 'profile_id', 'title_id']) }},
        {{ landed_row_columns('adds') }}
    from {{ ref('stg_app__watchlist_adds') }} as adds
    {%- if window_start %}
        where adds._ingest_date >= {{ window_start }}
    {%- endif %}
),

referenced as (
    {{ profile_references('cleaned') }}
),

{{ validated_rows(
    'referenced',
    rules,
    ['event_id'],
    ['event_id', 'account_id', 'profile_id', 'title_id', 'added_at'],
    window_start=window_start,
) }}
