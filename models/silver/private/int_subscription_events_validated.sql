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
    ]
    + timestamp_rules(['event_ts'])
    + [
        ('invalid_enum', "event_type not in ('start', 'upgrade', 'downgrade', 'cancel', 'payment')",
            ["'event_type not accepted: '", 'event_type']),
        ('invalid_enum', "plan_id not in ('basic', 'standard', 'premium')", ["'plan_id not accepted: '", 'plan_id']),
        ('invalid_enum', "currency not in ('" ~ currencies | join("', '") ~ "')",
            ["'currency not accepted: '", 'currency']),
        ('invalid_range', 'amount < 0', ["'amount is negative: '", 'amount_raw']),
    ]
    + future_timestamp_rules(['event_ts'])
    + [('orphan_reference', 'known_account_id is null', ["'account_id not in Silver accounts: '", 'account_id'])]
-%}

with

known_accounts as (
    select distinct account_id from {{ ref('account_versions') }}
),

cleaned as (
    select
        events._bronze_row_id,
        events._is_valid_json,
        {{ blank_as_null('events', ['event_id', 'account_id', 'event_type', 'plan_id', 'currency']) }},
        {{ typed_columns('events', ['amount', 'event_ts']) }},
        known_accounts.account_id as known_account_id,
        {{ landed_row_columns('events') }}
    from {{ ref('stg_app__subscription_events') }} as events
    left join known_accounts on events.account_id = known_accounts.account_id
),

{{ validated_rows('cleaned', rules, ['event_id'], [
    'event_id', 'account_id', 'event_type', 'plan_id', 'amount',
    amount_to_minor_units('amount', 'currency') ~ ' as amount_minor', 'currency', 'event_ts'
]) }}
