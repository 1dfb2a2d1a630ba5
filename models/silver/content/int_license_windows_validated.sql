{#-
    Every landed license window once, typed and cleaned, with the first rule
    it breaks (quarantine_reason, NULL when clean). Rules in priority order:
    missing_required > bad_type > invalid_enum > invalid_range
    > orphan_reference > duplicate.
    A window must license a vendor title of the conformed catalog (which
    holds a placeholder for a title whose every version was quarantined, so
    only a show_id the catalog never sent is an orphan); a window ending before it starts is invalid_range. Enums are
    compared as landed, without case folding (`EXCLUSIVE` breaks the
    contract's lower-case codes).
-#}
{%- set required_text_fields = ['license_id', 'show_id', 'territory', 'license_type'] -%}
{%- set required_typed_fields = {'window_start': 'date', 'window_end': 'date', 'fee_usd': 'decimal'} -%}
{%- set rules = [('malformed', '_intake_issue is not null', ["'unreadable row: '", '_intake_issue'])]
    + field_rules(required_text_fields, required_typed_fields, required_typed_fields)
    + [
        ('invalid_enum', "license_type not in ('exclusive', 'non_exclusive')",
            ["'license_type is not an accepted value: '", 'license_type']),
        ('invalid_enum', 'known_country_code is null', ["'territory is not a known country: '", 'territory']),
        ('invalid_range', 'window_end < window_start',
            ["'window_end '", 'window_end_raw', "' before window_start '", 'window_start_raw']),
        ('invalid_range', 'fee_usd < 0', ["'fee_usd is negative: '", 'fee_usd_raw']),
        ('orphan_reference', 'known_show_id is null', ["'show_id not in the vendor catalog: '", 'show_id']),
    ]
-%}

with

vendor_titles as (
    select title_id from {{ ref('int_titles_unioned') }}
    where title_source = 'vendor'
),

windows as (
    select
        landed._bronze_row_id,
        landed._intake_issue,
        landed.license_id,
        landed.show_id,
        landed.territory,
        landed.license_type,
        {{ typed_columns('landed', required_typed_fields) }},
        countries.country_code as known_country_code,
        vendor_titles.title_id as known_show_id,
        {{ landed_row_columns('landed') }}
    from {{ ref('stg_vendor__license_windows') }} as landed
    left join {{ ref('countries') }} as countries on landed.territory = countries.country_code
    left join vendor_titles on landed.show_id = vendor_titles.title_id
),

-- The first clean landing of a license_id is kept.
{{ validated_rows(
    'windows',
    rules,
    ['license_id'],
    ['license_id', 'show_id', 'territory', 'license_type', 'window_start', 'window_end', 'fee_usd'],
    redelivery=["'re-delivery of license_id '", 'license_id'],
) }}
