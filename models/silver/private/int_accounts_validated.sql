{#-
    Every landed account row once, typed and cleaned, with the raw personal
    data still on it and the salted e-mail hash beside it. quarantine_reason
    is NULL for a trusted row, else the first failing rule in the project's
    priority order. A re-delivered change (same account_id and updated_at)
    keeps its first landing; the copies are `duplicate`.
-#}
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
        case
            when _is_valid_json = 0 then 'malformed'
            when account_id is null or email is null or country is null or status is null then 'missing_required'
            when signup_at_raw is null or updated_at_raw is null then 'missing_required'
            when signup_at is null or updated_at is null then 'bad_type'
            when {{ dbt.safe_cast('country', api.Column.translate_type('bigint')) }} is not null then 'bad_type'
            when status not in ('active', 'suspended', 'closed') then 'invalid_enum'
            when is_known_country = 0 then 'invalid_enum'
            when signup_at > updated_at then 'invalid_range'
            when updated_at > latest_credible_at then 'future_timestamp'
        end as rule_failed,
        case
            when _is_valid_json = 0 then 'line is not a JSON object'
            when account_id is null then 'account_id is missing'
            when email is null then 'email is missing'
            when country is null then 'country is missing'
            when status is null then 'status is missing'
            when signup_at_raw is null then 'signup_at is missing'
            when updated_at_raw is null then 'updated_at is missing'
            when
                signup_at is null
                then {{ dbt.concat(["'signup_at is not an ISO-8601 timestamp: '", 'signup_at_raw']) }}
            when
                updated_at is null
                then {{ dbt.concat(["'updated_at is not an ISO-8601 timestamp: '", 'updated_at_raw']) }}
            when {{ dbt.safe_cast('country', api.Column.translate_type('bigint')) }} is not null
                then {{ dbt.concat(["'country is a number, not a letter code: '", 'country']) }}
            when
                status not in ('active', 'suspended', 'closed')
                then {{ dbt.concat(["'status not accepted: '", 'status']) }}
            when is_known_country = 0 then {{ dbt.concat(["'country not in the countries seed: '", 'country']) }}
            when signup_at > updated_at then {{ dbt.concat(["'signup_at after updated_at: '", 'signup_at_raw']) }}
            when
                updated_at > latest_credible_at
                then {{ dbt.concat(["'updated_at after its ingest date: '", 'updated_at_raw']) }}
        end as rule_detail
    from cleaned
),

{# Only rows that passed every other rule compete for the business key, so a
    broken first copy never hides a good re-delivery. #}
ranked as (
    select
        _bronze_row_id,
        row_number() over (
            partition by account_id, updated_at
            order by _ingest_date, _loaded_at, _source_file, _bronze_row_id
        ) as landing_rank,
        first_value(_bronze_row_id) over (
            partition by account_id, updated_at
            order by _ingest_date, _loaded_at, _source_file, _bronze_row_id
            rows between unbounded preceding and unbounded following
        ) as first_landing_row_id
    from checked
    where rule_failed is null
),

validated as (
    select
        checked._bronze_row_id,
        checked.account_id,
        checked.email,
        {{ salted_hash('checked.email') }} as email_hash,
        checked.full_name,
        checked.country,
        checked.signup_at,
        checked.status,
        checked.last_login_ip,
        checked.updated_at,
        coalesce(
            checked.rule_failed,
            case when ranked.landing_rank > 1 then 'duplicate' end
        ) as quarantine_reason,
        coalesce(
            checked.rule_detail,
            case
                when
                    ranked.landing_rank > 1
                    then {{ dbt.concat(["'same account_id and updated_at as row '", 'ranked.first_landing_row_id']) }}
            end
        ) as quarantine_detail,
        checked._raw_payload,
        checked._source_file,
        checked._ingest_date,
        checked._loaded_at
    from checked
    left join ranked on checked._bronze_row_id = ranked._bronze_row_id
)

select * from validated
