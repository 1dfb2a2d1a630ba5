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
    dates (ranked_by_landing) and names the one kept there, as a full refresh
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
        case
            when _is_valid_json = 0 then 'malformed'
            when event_id is null or account_id is null or profile_id is null or title_id is null
                then 'missing_required'
            when added_at_raw is null then 'missing_required'
            when added_at is null then 'bad_type'
            when {{ dbt.safe_cast('title_id', api.Column.translate_type('bigint')) }} is not null then 'bad_type'
            when added_at > latest_credible_at then 'future_timestamp'
            when is_known_account = 0 or is_known_profile = 0 or is_known_title = 0 then 'orphan_reference'
            when profile_account_id <> account_id then 'orphan_reference'
        end as rule_reason,
        case
            when _is_valid_json = 0 then 'line is not a JSON object'
            when event_id is null then 'event_id is missing'
            when account_id is null then 'account_id is missing'
            when profile_id is null then 'profile_id is missing'
            when title_id is null then 'title_id is missing'
            when added_at_raw is null then 'added_at is missing'
            when added_at is null then {{ dbt.concat(["'added_at is not an ISO-8601 timestamp: '", 'added_at_raw']) }}
            when {{ dbt.safe_cast('title_id', api.Column.translate_type('bigint')) }} is not null
                then {{ dbt.concat(["'title_id is a number, not a title id: '", 'title_id']) }}
            when
                added_at > latest_credible_at
                then {{ dbt.concat(["'added_at after its ingest date: '", 'added_at_raw']) }}
            when is_known_account = 0 then {{ dbt.concat(["'account_id not in Silver accounts: '", 'account_id']) }}
            when is_known_profile = 0 then {{ dbt.concat(["'profile_id not in Silver profiles: '", 'profile_id']) }}
            when is_known_title = 0 then {{ dbt.concat(["'title_id not in Silver titles: '", 'title_id']) }}
            when profile_account_id <> account_id
                then {{ dbt.concat(["'profile_id belongs to another account: '", 'profile_account_id']) }}
        end as rule_detail
    from cleaned
),

-- Only rows that passed every other rule compete for the event id, so a
-- broken first copy never hides a good re-delivery.
ranked as (
    {{ ranked_by_landing('checked', ['event_id'], window_start) }}
),

-- The copy each event keeps: the first clean landing, here or on a date
-- already done.
first_landings as (
    select
        event_id,
        _bronze_row_id as first_landing_row_id
    from ranked
    where rule_reason is null and copy_rank = 1
    {%- if window_start %}
        union all
        select
            event_id,
            _bronze_row_id as first_landing_row_id
        from {{ this }}
        where
            _ingest_date < {{ window_start }}
            and quarantine_reason is null
            and event_id in (select duplicates.event_id from ranked as duplicates where duplicates.copy_rank > 1)
    {%- endif %}
),

validated as (
    select
        ranked._bronze_row_id,
        ranked.event_id,
        ranked.account_id,
        ranked.profile_id,
        ranked.title_id,
        ranked.added_at,
        case
            when ranked.rule_reason is not null then ranked.rule_reason
            when ranked.copy_rank > 1 then 'duplicate'
        end as quarantine_reason,
        case
            when ranked.rule_reason is not null then ranked.rule_detail
            when ranked.copy_rank > 1
                then {{ dbt.concat(["'same event_id as row '", 'first_landings.first_landing_row_id']) }}
        end as quarantine_detail,
        ranked._raw_payload,
        ranked._source_file,
        ranked._ingest_date,
        ranked._loaded_at
    from ranked
    left join first_landings
        on
            ranked.event_id = first_landings.event_id
            and ranked.rule_reason is null
            and ranked.copy_rank > 1
)

select * from validated
