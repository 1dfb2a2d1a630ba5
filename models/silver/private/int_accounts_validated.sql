{#-
    Every landed account row once, typed and cleaned, with the raw personal
    data still on it and the salted e-mail hash beside it. quarantine_reason
    is NULL for a trusted row, else the first failing rule in the project's
    priority order. A re-delivered change (same account_id and updated_at)
    keeps its first landing; the copies are `duplicate`.
-#}
{%- set country_is_a_number = dbt.safe_cast('country', api.Column.translate_type('bigint')) ~ ' is not null' -%}
{%- set rules = [('malformed', '_is_valid_json = 0', "'line is not a JSON object'")]
    + missing_rules(['account_id', 'email', 'country', 'status'])
    + missing_rules(['signup_at', 'updated_at'], '{}_raw is null')
    + [
        ('bad_type', 'signup_at is null', ["'signup_at is not an ISO-8601 timestamp: '", 'signup_at_raw']),
        ('bad_type', 'updated_at is null', ["'updated_at is not an ISO-8601 timestamp: '", 'updated_at_raw']),
        ('bad_type', country_is_a_number, ["'country is a number, not a letter code: '", 'country']),
        ('invalid_enum', "status not in ('active', 'suspended', 'closed')", ["'status not accepted: '", 'status']),
        ('invalid_enum', 'is_known_country = 0', ["'country not in the countries seed: '", 'country']),
        ('invalid_range', 'signup_at > updated_at', ["'signup_at after updated_at: '", 'signup_at_raw']),
        ('future_timestamp', 'updated_at > latest_credible_at', ["'updated_at after its ingest date: '", 'updated_at_raw']),
    ]
-%}
with bronze as (
    select * from {{ ref('stg_app__accounts') }}
),

known_countries as (
    select country_code from {{ ref('countries') }}
),

cleaned as (
    select
        bronze._bronze_row_id,
        bronze.signup_at,
        bronze.signup_at_raw,
        bronze.updated_at,
        bronze.updated_at_raw,
        bronze._is_valid_json,
        bronze._raw_payload,
        bronze._source_file,
        bronze._ingest_date,
        bronze._loaded_at,
        nullif(bronze.account_id, '') as account_id,
        nullif(bronze.email, '') as email,
        nullif(bronze.full_name, '') as full_name,
        upper(nullif(bronze.country, '')) as country,
        nullif(bronze.status, '') as status,
        nullif(bronze.last_login_ip, '') as last_login_ip,
        case when known_countries.country_code is null then 0 else 1 end as is_known_country,
        {{ latest_credible_timestamp('bronze._ingest_date') }} as latest_credible_at
    from bronze
    left join known_countries on upper(nullif(bronze.country, '')) = known_countries.country_code
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
    {{ ranked_deliveries('checked', ['account_id', 'updated_at'], with_kept_row_id=true) }}
),

validated as (
    select
        _bronze_row_id,
        account_id,
        email,
        {{ salted_hash('email') }} as email_hash,
        full_name,
        country,
        signup_at,
        status,
        last_login_ip,
        updated_at,
        {{ quarantine_columns([('duplicate', 'delivery_rank > 1', ["'same account_id and updated_at as row '", 'kept_row_id'])]) }},
        _raw_payload,
        _source_file,
        _ingest_date,
        _loaded_at
    from ranked
)

select * from validated
