{#-
    Every landed watchlist addition once, typed and cleaned. quarantine_reason is
    NULL for a trusted row, else the first failing rule in the project's
    priority order. An addition must point at a known account, a known profile of
    that same account and a known title (`orphan_reference` otherwise); a
    re-delivered event_id keeps its first landing.
-#}
{#-
    Incremental: a run re-validates the ingest dates from
    incremental_window_start('_ingest_date', landed_files) on and replaces them
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
{%- set landed_files = 'bronze/app/watchlist_adds/*/*.jsonl' -%}
{%- set window_start = incremental_window_start('_ingest_date', landed_files) if is_incremental() else none -%}
{%- set title_id_is_a_number = dbt.safe_cast('title_id', api.Column.translate_type('bigint')) ~ ' is not null' -%}
{%- set rules = [('malformed', '_is_valid_json = 0', "'line is not a JSON object'")]
    + missing_rules(['event_id', 'account_id', 'profile_id', 'title_id'])
    + missing_rules(['added_at'], '{}_raw is null')
    + [
        ('bad_type', 'added_at is null', ["'added_at is not an ISO-8601 timestamp: '", 'added_at_raw']),
        ('bad_type', title_id_is_a_number, ["'title_id is a number, not a title id: '", 'title_id']),
        ('future_timestamp', 'added_at > latest_credible_at', ["'added_at after its ingest date: '", 'added_at_raw']),
    ]
    + profile_reference_rules()
-%}

with

bronze as (
    select * from {{ ref('stg_app__watchlist_adds') }}
    {%- if window_start %}
        where _ingest_date >= {{ window_start }}
    {%- endif %}
),

known_accounts as (
    select distinct account_id from {{ ref('account_versions') }}
),

known_profiles as (
    select
        profile_id,
        account_id
    from {{ ref('profiles') }}
),

known_titles as (
    select title_id from {{ ref('titles') }}
),

cleaned as (
    select
        bronze._bronze_row_id,
        bronze.added_at,
        bronze.added_at_raw,
        bronze._is_valid_json,
        bronze._raw_payload,
        bronze._source_file,
        bronze._ingest_date,
        bronze._loaded_at,
        known_profiles.account_id as profile_account_id,
        nullif(bronze.event_id, '') as event_id,
        nullif(bronze.account_id, '') as account_id,
        nullif(bronze.profile_id, '') as profile_id,
        nullif(bronze.title_id, '') as title_id,
        case when known_accounts.account_id is null then 0 else 1 end as is_known_account,
        case when known_profiles.profile_id is null then 0 else 1 end as is_known_profile,
        case when known_titles.title_id is null then 0 else 1 end as is_known_title,
        {{ latest_credible_timestamp('bronze._ingest_date') }} as latest_credible_at
    from bronze
    left join known_accounts on bronze.account_id = known_accounts.account_id
    left join known_profiles on bronze.profile_id = known_profiles.profile_id
    left join known_titles on bronze.title_id = known_titles.title_id
),

checked as (
    select
        *,
        {{ validation_columns(rules) }}
    from cleaned
),

-- Only rows that passed every other rule compete for the event id, so a
-- broken first copy never hides a good re-delivery.
ranked as (
    {{ ranked_deliveries('checked', ['event_id'], window_start=window_start, with_kept_row_id=true) }}
),

validated as (
    select
        _bronze_row_id,
        event_id,
        account_id,
        profile_id,
        title_id,
        added_at,
        {{ quarantine_columns([('duplicate', 'delivery_rank > 1', ["'same event_id as row '", 'kept_row_id'])]) }},
        _raw_payload,
        _source_file,
        _ingest_date,
        _loaded_at
    from ranked
)

select * from validated
