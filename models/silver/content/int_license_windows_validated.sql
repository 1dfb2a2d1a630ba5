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
        case
            when windows._intake_issue is not null then 'malformed'
            when
                {%- for field in required_text_fields %}
                    coalesce(windows.{{ field }}, '') = '' or
                {%- endfor %}
                {%- for field in required_typed_fields %}
                    windows.{{ field }}_raw is null{% if not loop.last %} or{% endif %}
                {%- endfor %}
                then 'missing_required'
            when
                {%- for field, logical_type in required_typed_fields.items() %}
                    {{ is_mistyped('windows.' ~ field, logical_type) }}{% if not loop.last %} or{% endif %}
                {%- endfor %}
                then 'bad_type'
            when
                windows.license_type not in ('exclusive', 'non_exclusive')
                or countries.country_code is null
                then 'invalid_enum'
            when windows.window_end < windows.window_start or windows.fee_usd < 0 then 'invalid_range'
            when vendor_titles.show_id is null then 'orphan_reference'
        end as rule_reason,
        case
            when windows._intake_issue is not null
                then {{ dbt.concat(["'unreadable row: '", 'windows._intake_issue']) }}
            {%- for field in required_text_fields %}
                when coalesce(windows.{{ field }}, '') = '' then '{{ field }} is missing'
            {%- endfor %}
            {%- for field in required_typed_fields %}
                when windows.{{ field }}_raw is null then '{{ field }} is missing'
            {%- endfor %}
            {%- for field, logical_type in required_typed_fields.items() %}
                when {{ is_mistyped('windows.' ~ field, logical_type) }}
                    then {{ dbt.concat(["'" ~ field ~ " is not a valid value: '", 'windows.' ~ field ~ '_raw']) }}
            {%- endfor %}
            when windows.license_type not in ('exclusive', 'non_exclusive')
                then {{ dbt.concat(["'license_type is not an accepted value: '", 'windows.license_type']) }}
            when countries.country_code is null
                then {{ dbt.concat(["'territory is not a known country: '", 'windows.territory']) }}
            when windows.window_end < windows.window_start
                then {{ dbt.concat([
                    "'window_end '", 'windows.window_end_raw', "' before window_start '", 'windows.window_start_raw'
                ]) }}
            when windows.fee_usd < 0
                then {{ dbt.concat(["'fee_usd is negative: '", 'windows.fee_usd_raw']) }}
            when vendor_titles.show_id is null
                then {{ dbt.concat(["'show_id not in the vendor catalog: '", 'windows.show_id']) }}
        end as rule_detail
    from windows
    left join countries on windows.territory = countries.country_code
    left join vendor_titles on windows.show_id = vendor_titles.show_id
),

-- Only rows that pass every rule compete for a license_id, so a corrupt
-- copy never displaces a clean one; the first landed copy wins.
ranked as (
    select
        checked.*,
        row_number() over (
            partition by checked.license_id, checked.rule_reason
            order by checked._loaded_at, checked._source_file, checked._bronze_row_id
        ) as copy_rank
    from checked
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
        case
            when rule_reason is not null then rule_reason
            when copy_rank > 1 then 'duplicate'
        end as quarantine_reason,
        case
            when rule_reason is not null then rule_detail
            when copy_rank > 1
                then {{ dbt.concat([
                    "'re-delivery of license_id '", 'license_id',
                    "' (copy '", dbt.safe_cast('copy_rank', dbt.type_string()), "')'"
                ]) }}
        end as quarantine_detail,
        _raw_payload,
        _source_file,
        _ingest_date,
        _loaded_at
    from ranked
)

select * from final
