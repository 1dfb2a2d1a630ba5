{#-
    Every landed thumbs rating once, typed and cleaned. quarantine_reason is
    NULL for a trusted row, else the first failing rule in the project's
    priority order. A rating must point at a known account, a known profile of
    that same account and a known title (`orphan_reference` otherwise); a
    re-delivered rating_id keeps its first landing.
-#}
{%- set title_id_is_a_number = dbt.safe_cast('title_id', api.Column.translate_type('bigint')) ~ ' is not null' -%}
{%- set rules = [('malformed', '_is_valid_json = 0', "'line is not a JSON object'")]
    + missing_rules(['rating_id', 'account_id', 'profile_id', 'title_id', 'thumb'])
    + missing_rules(['rated_at'], '{}_raw is null')
    + timestamp_rules(['rated_at'])
    + [
        ('bad_type', title_id_is_a_number, ["'title_id is a number, not a title id: '", 'title_id']),
        ('invalid_enum', "thumb not in ('down', 'up', 'double_up')", ["'thumb not accepted: '", 'thumb']),
    ]
    + future_timestamp_rules(['rated_at'])
    + profile_reference_rules()
-%}

with

cleaned as (
    select
        ratings._bronze_row_id,
        ratings._is_valid_json,
        {{ blank_as_null('ratings', ['rating_id', 'account_id', 'profile_id', 'title_id', 'thumb']) }},
        {{ typed_columns('ratings', ['rated_at']) }},
        {{ landed_row_columns('ratings') }}
    from {{ ref('stg_app__ratings') }} as ratings
),

referenced as (
    {{ profile_references('cleaned') }}
),

{{ validated_rows(
    'referenced', rules, ['rating_id'], ['rating_id', 'account_id', 'profile_id', 'title_id', 'thumb', 'rated_at']
) }}
