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
    ]
    + timestamp_rules(['created_at'])
    + future_timestamp_rules(['created_at'])
    + [('orphan_reference', 'known_account_id is null', ["'account_id not in Silver accounts: '", 'account_id'])]
-%}

with

bronze as (
    select * from {{ ref('stg_app__profiles') }}
),

known_accounts as (
    select distinct account_id from {{ ref('account_versions') }}
),

cleaned as (
    select
        bronze._bronze_row_id,
        bronze._is_valid_json,
        {{ blank_as_null('bronze', ['profile_id', 'account_id', 'profile_name']) }},
        {{ typed_columns('bronze', ['is_kids', 'created_at']) }},
        {{ json_value_is_quoted('bronze._raw_payload', 'is_kids') }} as is_kids_quoted,
        known_accounts.account_id as known_account_id,
        {{ landed_row_columns('bronze') }}
    from bronze
    left join known_accounts on bronze.account_id = known_accounts.account_id
),

{{ validated_rows(
    'cleaned', rules, ['profile_id'], ['profile_id', 'account_id', 'profile_name', 'is_kids', 'created_at']
) }}
