{#-
    Every landed subscription event once, typed and cleaned, the amount also
    as a bigint of the currency's minor units. Enums must match the contract's
    spelling exactly: `Premium` is a contract breach to show, not to guess. quarantine_reason is NULL for a trusted row, else the first failing
    rule in the project's priority order; an event of an account Silver does
    not know is an `orphan_reference`, a re-delivered event_id keeps its first
    landing.
-#}
with bronze as (
    select * from {{ ref('stg_app__subscription_events') }}
),

known_accounts as (
    select distinct account_id from {{ ref('account_versions') }}
),

cleaned as (
    select
        bronze._bronze_row_id,
        bronze.amount,
        bronze.amount_raw,
        bronze.event_ts,
        bronze.event_ts_raw,
        bronze._is_valid_json,
        bronze._raw_payload,
        bronze._source_file,
        bronze._ingest_date,
        bronze._loaded_at,
        nullif(bronze.event_id, '') as event_id,
        nullif(bronze.account_id, '') as account_id,
        nullif(bronze.event_type, '') as event_type,
        nullif(bronze.plan_id, '') as plan_id,
        nullif(bronze.currency, '') as currency,
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
            when event_id is null or account_id is null or event_type is null or plan_id is null or event_ts_raw is null
                then 'missing_required'
            when event_type = 'payment' and (amount_raw is null or currency is null) then 'missing_required'
            when amount is null and amount_raw is not null then 'bad_type'
            when event_ts is null then 'bad_type'
            when event_type not in ('start', 'upgrade', 'downgrade', 'cancel', 'payment') then 'invalid_enum'
            when plan_id not in ('basic', 'standard', 'premium') then 'invalid_enum'
            when
                currency not in ('USD', 'EUR', 'GBP', 'INR', 'BRL', 'JPY', 'CAD', 'AUD', 'MXN', 'KRW')
                then 'invalid_enum'
            when amount < 0 then 'invalid_range'
            when event_ts > latest_credible_at then 'future_timestamp'
            when is_known_account = 0 then 'orphan_reference'
        end as rule_failed,
        case
            when _is_valid_json = 0 then 'line is not a JSON object'
            when event_id is null then 'event_id is missing'
            when account_id is null then 'account_id is missing'
            when event_type is null then 'event_type is missing'
            when plan_id is null then 'plan_id is missing'
            when event_ts_raw is null then 'event_ts is missing'
            when event_type = 'payment' and amount_raw is null then 'amount is missing on a payment'
            when event_type = 'payment' and currency is null then 'currency is missing on a payment'
            when
                amount is null and amount_raw is not null
                then {{ dbt.concat(["'amount is not a decimal: '", 'amount_raw']) }}
            when event_ts is null then {{ dbt.concat(["'event_ts is not an ISO-8601 timestamp: '", 'event_ts_raw']) }}
            when event_type not in ('start', 'upgrade', 'downgrade', 'cancel', 'payment')
                then {{ dbt.concat(["'event_type not accepted: '", 'event_type']) }}
            when
                plan_id not in ('basic', 'standard', 'premium')
                then {{ dbt.concat(["'plan_id not accepted: '", 'plan_id']) }}
            when currency not in ('USD', 'EUR', 'GBP', 'INR', 'BRL', 'JPY', 'CAD', 'AUD', 'MXN', 'KRW')
                then {{ dbt.concat(["'currency not accepted: '", 'currency']) }}
            when amount < 0 then {{ dbt.concat(["'amount is negative: '", 'amount_raw']) }}
            when
                event_ts > latest_credible_at
                then {{ dbt.concat(["'event_ts after its ingest date: '", 'event_ts_raw']) }}
            when is_known_account = 0 then {{ dbt.concat(["'account_id not in Silver accounts: '", 'account_id']) }}
        end as rule_detail
    from cleaned
),

{# Only rows that passed every other rule compete for the event id, so a
    broken first copy never hides a good re-delivery. #}
ranked as (
    select
        _bronze_row_id,
        row_number() over (
            partition by event_id
            order by _ingest_date, _loaded_at, _source_file, _bronze_row_id
        ) as landing_rank,
        first_value(_bronze_row_id) over (
            partition by event_id
            order by _ingest_date, _loaded_at, _source_file, _bronze_row_id
            rows between unbounded preceding and unbounded following
        ) as first_landing_row_id
    from checked
    where rule_failed is null
),

validated as (
    select
        checked._bronze_row_id,
        checked.event_id,
        checked.account_id,
        checked.event_type,
        checked.plan_id,
        checked.amount,
        {{ amount_to_minor_units('checked.amount', 'checked.currency') }} as amount_minor,
        checked.currency,
        checked.event_ts,
        coalesce(
            checked.rule_failed,
            case when ranked.landing_rank > 1 then 'duplicate' end
        ) as quarantine_reason,
        coalesce(
            checked.rule_detail,
            case
                when
                    ranked.landing_rank > 1
                    then {{ dbt.concat(["'same event_id as row '", 'ranked.first_landing_row_id']) }}
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
