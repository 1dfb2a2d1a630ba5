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
{%- set rules = [('malformed', 'windows._intake_issue is not null', ["'unreadable row: '", 'windows._intake_issue'])]
    + missing_rules(required_text_fields, "coalesce(windows.{}, '') = ''")
    + missing_rules(required_typed_fields, 'windows.{}_raw is null')
    + mistyped_rules(required_typed_fields, 'windows')
    + [
        ('invalid_enum', "windows.license_type not in ('exclusive', 'non_exclusive')",
            ["'license_type is not an accepted value: '", 'windows.license_type']),
        ('invalid_enum', 'countries.country_code is null', ["'territory is not a known country: '", 'windows.territory']),
        ('invalid_range', 'windows.window_end < windows.window_start',
            ["'window_end '", 'windows.window_end_raw', "' before window_start '", 'windows.window_start_raw']),
        ('invalid_range', 'windows.fee_usd < 0', ["'fee_usd is negative: '", 'windows.fee_usd_raw']),
        ('orphan_reference', 'vendor_titles.show_id is null',
            ["'show_id not in the vendor catalog: '", 'windows.show_id']),
    ]
-%}

with

windows as (
    select
        _bronze_row_id,
        license_id,
        show_id,
        territory,
        license_type,
        window_start,
        window_start_raw,
        window_end,
        window_end_raw,
        fee_usd,
        fee_usd_raw,
        _raw_payload,
        _intake_issue,
        _source_file,
        _ingest_date,
        _loaded_at
    from {{ ref('stg_vendor__license_windows') }}
),

countries as (
    select country_code from {{ ref('countries') }}
),

vendor_titles as (
    select title_id as show_id from {{ ref('int_titles_unioned') }}
    where title_source = 'vendor'
),

checked as (
    select
        windows.*,
        {{ validation_columns(rules) }}
    from windows
    left join countries on windows.territory = countries.country_code
    left join vendor_titles on windows.show_id = vendor_titles.show_id
),

-- Only rows that pass every rule compete for a license_id, so a corrupt
-- copy never displaces a clean one; the first landed copy wins.
ranked as (
    {{ ranked_deliveries('checked', ['license_id']) }}
),

final as (
    select
        _bronze_row_id,
        license_id,
        show_id,
        territory,
        license_type,
        window_start,
        window_end,
        fee_usd,
        {{ quarantine_columns([('duplicate', 'delivery_rank > 1', [
            "'re-delivery of license_id '", 'license_id',
            "' (copy '", dbt.safe_cast('delivery_rank', dbt.type_string()), "')'"
        ])]) }},
        _raw_payload,
        _source_file,
        _ingest_date,
        _loaded_at
    from ranked
)

select * from final
