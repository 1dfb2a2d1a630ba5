{#-
    Every landed thumbs rating once, typed and cleaned. quarantine_reason is
    NULL for a trusted row, else the first failing rule in the project's
    priority order. A rating must point at a known account, a known profile of
    that same account and a known title (`orphan_reference` otherwise); a
    re-delivered rating_id keeps its first landing.
-#}
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
        case
            when _is_valid_json = 0 then 'malformed'
            when rating_id is null or account_id is null or profile_id is null or title_id is null or thumb is null
                then 'missing_required'
            when rated_at_raw is null then 'missing_required'
            when rated_at is null then 'bad_type'
            when {{ dbt.safe_cast('title_id', api.Column.translate_type('bigint')) }} is not null then 'bad_type'
            when thumb not in ('down', 'up', 'double_up') then 'invalid_enum'
            when rated_at > latest_credible_at then 'future_timestamp'
            when is_known_account = 0 or is_known_profile = 0 or is_known_title = 0 then 'orphan_reference'
            when profile_account_id <> account_id then 'orphan_reference'
        end as rule_failed,
        case
            when _is_valid_json = 0 then 'line is not a JSON object'
            when rating_id is null then 'rating_id is missing'
            when account_id is null then 'account_id is missing'
            when profile_id is null then 'profile_id is missing'
            when title_id is null then 'title_id is missing'
            when thumb is null then 'thumb is missing'
            when rated_at_raw is null then 'rated_at is missing'
            when rated_at is null then {{ dbt.concat(["'rated_at is not an ISO-8601 timestamp: '", 'rated_at_raw']) }}
            when {{ dbt.safe_cast('title_id', api.Column.translate_type('bigint')) }} is not null
                then {{ dbt.concat(["'title_id is a number, not a title id: '", 'title_id']) }}
            when thumb not in ('down', 'up', 'double_up') then {{ dbt.concat(["'thumb not accepted: '", 'thumb']) }}
            when
                rated_at > latest_credible_at
                then {{ dbt.concat(["'rated_at after its ingest date: '", 'rated_at_raw']) }}
            when is_known_account = 0 then {{ dbt.concat(["'account_id not in Silver accounts: '", 'account_id']) }}
            when is_known_profile = 0 then {{ dbt.concat(["'profile_id not in Silver profiles: '", 'profile_id']) }}
            when is_known_title = 0 then {{ dbt.concat(["'title_id not in Silver titles: '", 'title_id']) }}
            when profile_account_id <> account_id
                then {{ dbt.concat(["'profile_id belongs to another account: '", 'profile_account_id']) }}
        end as rule_detail
    from cleaned
),

{# Only rows that passed every other rule compete for the rating id, so a
    broken first copy never hides a good re-delivery. #}
ranked as (
    select
        _bronze_row_id,
        row_number() over (
            partition by rating_id
            order by _ingest_date, _loaded_at, _source_file, _bronze_row_id
        ) as landing_rank,
        first_value(_bronze_row_id) over (
            partition by rating_id
            order by _ingest_date, _loaded_at, _source_file, _bronze_row_id
            rows between unbounded preceding and unbounded following
        ) as first_landing_row_id
    from checked
    where rule_failed is null
),

validated as (
    select
        checked._bronze_row_id,
        checked.rating_id,
        checked.account_id,
        checked.profile_id,
        checked.title_id,
        checked.thumb,
        checked.rated_at,
        coalesce(
            checked.rule_failed,
            case when ranked.landing_rank > 1 then 'duplicate' end
        ) as quarantine_reason,
        coalesce(
            checked.rule_detail,
            case
                when
                    ranked.landing_rank > 1
                    then {{ dbt.concat(["'same rating_id as row '", 'ranked.first_landing_row_id']) }}
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
