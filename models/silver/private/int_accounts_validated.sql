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
    + timestamp_rules(['signup_at', 'updated_at'])
    + [
        ('bad_type', country_is_a_number, ["'country is a number, not a letter code: '", 'country']),
        ('invalid_enum', "status not in ('active', 'suspended', 'closed')", ["'status not accepted: '", 'status']),
        ('invalid_enum', 'known_country_code is null', ["'country not in the countries seed: '", 'country']),
        ('invalid_range', 'signup_at > updated_at', ["'signup_at after updated_at: '", 'signup_at_raw']),
    ]
    + future_timestamp_rules(['updated_at'])
-%}

with

bronze as (
    select * from {{ ref('stg_app__accounts') }}
),

cleaned as (
    select
        bronze._bronze_row_id,
        bronze._is_valid_json,
        {{ typed_columns('bronze', ['signup_at', 'updated_at']) }},
        {{ blank_as_null('bronze', ['account_id', 'email', 'full_name', 'status', 'last_login_ip']) }},
        upper(nullif(bronze.country, '')) as country,
        {{ landed_row_columns('bronze') }}
    from bronze
),

with_countries as (
    select
        cleaned.*,
        countries.country_code as known_country_code
    from cleaned
    left join {{ ref('countries') }} as countries on cleaned.country = countries.country_code
),

{{ validated_rows('with_countries', rules, ['account_id', 'updated_at'], [
    'account_id', 'email', salted_hash('email') ~ ' as email_hash', 'full_name', 'country',
    'signup_at', 'status', 'last_login_ip', 'updated_at'
]) }}
