{#-
    Every landed thumbs rating once, typed and cleaned. quarantine_reason is
    NULL for a trusted row, else the first failing rule in the project's
    priority order. A rating must point at a known account, a known profile of
    that same account and a known title (`orphan_reference` otherwise); a
    re-delivered rating_id keeps its first landing.
-#}
{%- set title_id_is_a_number = dbt.safe_cast('title_id', api.Column.translate_type('bigint')) ~ ' is not null' -%}
{%- set rules = [('malformed', '_is_valid_json = 0', "'line is not a JSON object'")]
    + missing_rules(['rating_id', 'account_id', 'profile_id', 'title_id', 'thumb'])
    + missing_rules(['rated_at'], '{}_raw is null')
    + [
        ('bad_type', 'rated_at is null', ["'rated_at is not an ISO-8601 timestamp: '", 'rated_at_raw']),
        ('bad_type', title_id_is_a_number, ["'title_id is a number, not a title id: '", 'title_id']),
        ('invalid_enum', "thumb not in ('down', 'up', 'double_up')", ["'thumb not accepted: '", 'thumb']),
        ('future_timestamp', 'rated_at > latest_credible_at', ["'rated_at after its ingest date: '", 'rated_at_raw']),
    ]
    + profile_reference_rules()
-%}
with bronze as (
    select * from {{ ref('stg_app__ratings') }}
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
        bronze.rated_at,
        bronze.rated_at_raw,
        bronze._is_valid_json,
        bronze._raw_payload,
        bronze._source_file,
        bronze._ingest_date,
        bronze._loaded_at,
        known_profiles.account_id as profile_account_id,
        nullif(bronze.rating_id, '') as rating_id,
        nullif(bronze.account_id, '') as account_id,
        nullif(bronze.profile_id, '') as profile_id,
        nullif(bronze.title_id, '') as title_id,
        nullif(bronze.thumb, '') as thumb,
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

{# Only rows that passed every other rule compete for the key, so a broken
    first copy never hides a good re-delivery. #}
ranked as (
    {{ ranked_deliveries('checked', ['rating_id'], with_kept_row_id=true) }}
),

validated as (
    select
        _bronze_row_id,
        rating_id,
        account_id,
        profile_id,
        title_id,
        thumb,
        rated_at,
        {{ quarantine_columns([('duplicate', 'delivery_rank > 1', ["'same rating_id as row '", 'kept_row_id'])]) }},
        _raw_payload,
        _source_file,
        _ingest_date,
        _loaded_at
    from ranked
)

select * from validated
