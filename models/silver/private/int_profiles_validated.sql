{#-
    Every landed profile row once, typed and cleaned, with the profile name
    (personal data) still on it. quarantine_reason is NULL for a trusted row,
    else the first failing rule in the project's priority order; a profile of
    an account Silver does not know is an `orphan_reference`, a re-delivered
    profile_id keeps its first landing.
-#}
{%- set rules = [('malformed', '_is_valid_json = 0', "'line is not a JSON object'")]
    + missing_rules(['profile_id', 'account_id'])
    + missing_rules(['is_kids', 'created_at'], '{}_raw is null')
    + [
        ('bad_type', 'is_kids is null', ["'is_kids is not a boolean: '", 'is_kids_raw']),
        ('bad_type', 'is_kids_quoted = 1', ["'is_kids is text, not a JSON boolean: '", 'is_kids_raw']),
        ('bad_type', 'created_at is null', ["'created_at is not an ISO-8601 timestamp: '", 'created_at_raw']),
        ('future_timestamp', 'created_at > latest_credible_at', ["'created_at after its ingest date: '", 'created_at_raw']),
        ('orphan_reference', 'is_known_account = 0', ["'account_id not in Silver accounts: '", 'account_id']),
    ]
-%}
with bronze as (
    select * from {{ ref('stg_app__profiles') }}
),

known_accounts as (
    select distinct account_id from {{ ref('account_versions') }}
),

cleaned as (
    select
        bronze._bronze_row_id,
        nullif(bronze.profile_id, '') as profile_id,
        nullif(bronze.account_id, '') as account_id,
        nullif(bronze.profile_name, '') as profile_name,
        bronze.is_kids,
        bronze.is_kids_raw,
        {{ json_value_is_quoted('bronze._raw_payload', 'is_kids') }} as is_kids_quoted,
        bronze.created_at,
        bronze.created_at_raw,
        bronze._is_valid_json,
        bronze._raw_payload,
        bronze._source_file,
        bronze._ingest_date,
        bronze._loaded_at,
        case when known_accounts.account_id is null then 0 else 1 end as is_known_account,
        {{ latest_credible_timestamp('bronze._ingest_date') }} as latest_credible_at
    from bronze
    left join known_accounts on bronze.account_id = known_accounts.account_id
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
    {{ ranked_deliveries('checked', ['profile_id'], with_kept_row_id=true) }}
),

validated as (
    select
        _bronze_row_id,
        profile_id,
        account_id,
        profile_name,
        is_kids,
        created_at,
        {{ quarantine_columns([('duplicate', 'delivery_rank > 1', ["'same profile_id as row '", 'kept_row_id'])]) }},
        _raw_payload,
        _source_file,
        _ingest_date,
        _loaded_at
    from ranked
)

select * from validated
