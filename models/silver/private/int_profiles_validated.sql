{#-
    Every landed profile row once, typed and cleaned, with the profile name
    (personal data) still on it. quarantine_reason is NULL for a trusted row,
    else the first failing rule in the project's priority order; a profile of
    an account Silver does not know is an `orphan_reference`, a re-delivered
    profile_id keeps its first landing.
-#}
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
        case
            when _is_valid_json = 0 then 'malformed'
            when profile_id is null or account_id is null or is_kids_raw is null or created_at_raw is null
                then 'missing_required'
            when is_kids is null or is_kids_quoted = 1 or created_at is null then 'bad_type'
            when created_at > latest_credible_at then 'future_timestamp'
            when is_known_account = 0 then 'orphan_reference'
        end as rule_failed,
        case
            when _is_valid_json = 0 then 'line is not a JSON object'
            when profile_id is null then 'profile_id is missing'
            when account_id is null then 'account_id is missing'
            when is_kids_raw is null then 'is_kids is missing'
            when created_at_raw is null then 'created_at is missing'
            when is_kids is null then {{ dbt.concat(["'is_kids is not a boolean: '", 'is_kids_raw']) }}
            when is_kids_quoted = 1 then {{ dbt.concat(["'is_kids is text, not a JSON boolean: '", 'is_kids_raw']) }}
            when
                created_at is null
                then {{ dbt.concat(["'created_at is not an ISO-8601 timestamp: '", 'created_at_raw']) }}
            when
                created_at > latest_credible_at
                then {{ dbt.concat(["'created_at after its ingest date: '", 'created_at_raw']) }}
            when is_known_account = 0 then {{ dbt.concat(["'account_id not in Silver accounts: '", 'account_id']) }}
        end as rule_detail
    from cleaned
),

{# Only rows that passed every other rule compete for the key, so a broken
    first copy never hides a good re-delivery. #}
ranked as (
    select
        _bronze_row_id,
        row_number() over (
            partition by profile_id
            order by _ingest_date, _loaded_at, _source_file, _bronze_row_id
        ) as landing_rank,
        first_value(_bronze_row_id) over (
            partition by profile_id
            order by _ingest_date, _loaded_at, _source_file, _bronze_row_id
            rows between unbounded preceding and unbounded following
        ) as first_landing_row_id
    from checked
    where rule_failed is null
),

validated as (
    select
        checked._bronze_row_id,
        checked.profile_id,
        checked.account_id,
        checked.profile_name,
        checked.is_kids,
        checked.created_at,
        coalesce(
            checked.rule_failed,
            case when ranked.landing_rank > 1 then 'duplicate' end
        ) as quarantine_reason,
        coalesce(
            checked.rule_detail,
            case
                when
                    ranked.landing_rank > 1
                    then {{ dbt.concat(["'same profile_id as row '", 'ranked.first_landing_row_id']) }}
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
