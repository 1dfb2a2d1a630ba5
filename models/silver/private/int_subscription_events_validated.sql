{#-
    Every landed subscription event once, typed and cleaned, the amount also
    as a bigint of the currency's minor units. Enums must match the contract's
    spelling exactly: `Premium` is a contract breach to show, not to guess. quarantine_reason is NULL for a trusted row, else the first failing
    rule in the project's priority order; an event of an account Silver does
    not know is an `orphan_reference`, a re-delivered event_id keeps its first
    landing.
-#}
{%- set currencies = ['USD', 'EUR', 'GBP', 'INR', 'BRL', 'JPY', 'CAD', 'AUD', 'MXN', 'KRW'] -%}
{%- set rules = [('malformed', '_is_valid_json = 0', "'line is not a JSON object'")]
    + missing_rules(['event_id', 'account_id', 'event_type', 'plan_id'])
    + missing_rules(['event_ts'], '{}_raw is null')
    + [
        ('missing_required', "event_type = 'payment' and amount_raw is null", "'amount is missing on a payment'"),
        ('missing_required', "event_type = 'payment' and currency is null", "'currency is missing on a payment'"),
        ('bad_type', 'amount is null and amount_raw is not null', ["'amount is not a decimal: '", 'amount_raw']),
        ('bad_type', 'event_ts is null', ["'event_ts is not an ISO-8601 timestamp: '", 'event_ts_raw']),
        ('invalid_enum', "event_type not in ('start', 'upgrade', 'downgrade', 'cancel', 'payment')",
            ["'event_type not accepted: '", 'event_type']),
        ('invalid_enum', "plan_id not in ('basic', 'standard', 'premium')", ["'plan_id not accepted: '", 'plan_id']),
        ('invalid_enum', "currency not in ('" ~ currencies | join("', '") ~ "')", ["'currency not accepted: '", 'currency']),
        ('invalid_range', 'amount < 0', ["'amount is negative: '", 'amount_raw']),
        ('future_timestamp', 'event_ts > latest_credible_at', ["'event_ts after its ingest date: '", 'event_ts_raw']),
        ('orphan_reference', 'is_known_account = 0', ["'account_id not in Silver accounts: '", 'account_id']),
    ]
-%}
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
        {{ validation_columns(rules) }}
    from cleaned
),

{# Only rows that passed every other rule compete for the key, so a broken
    first copy never hides a good re-delivery. #}
ranked as (
    {{ ranked_deliveries('checked', ['event_id'], with_kept_row_id=true) }}
),

validated as (
    select
        _bronze_row_id,
        event_id,
        account_id,
        event_type,
        plan_id,
        amount,
        {{ amount_to_minor_units('amount', 'currency') }} as amount_minor,
        currency,
        event_ts,
        {{ quarantine_columns([('duplicate', 'delivery_rank > 1', ["'same event_id as row '", 'kept_row_id'])]) }},
        _raw_payload,
        _source_file,
        _ingest_date,
        _loaded_at
    from ranked
)

select * from validated
