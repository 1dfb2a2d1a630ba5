{#- How well each external source matches the catalog: one row per source
    (also when it sent nothing), every clean record counted once under its
    match status, so unmatched rows stay visible as numbers. -#}
{%- set match_statuses = [
    'matched_title_year', 'matched_adjacent_year', 'matched_title_only',
    'ambiguous', 'year_mismatch', 'no_match'
] -%}

with

match_sources as (
    select 'reviews' as match_source
    union all
    select 'social' as match_source
),

matches as (
    select
        match_source,
        match_status,
        is_matched
    from {{ ref('int_title_matches') }}
),

summary as (
    select
        match_sources.match_source,
        count(matches.match_status) as record_count,
        coalesce(sum(matches.is_matched), 0) as matched_count,
        coalesce(sum(1 - matches.is_matched), 0) as unmatched_count,
        {%- for status in match_statuses %}
            sum(case when matches.match_status = '{{ status }}' then 1 else 0 end)
                as {{ status }}_count{% if not loop.last %},{% endif %}
        {%- endfor %}
    from match_sources
    left join matches on match_sources.match_source = matches.match_source
    group by match_sources.match_source
),

final as (
    select
        summary.*,
        case
            when summary.record_count > 0 then cast(summary.matched_count * 1.0 / summary.record_count as decimal(9, 4))
        end as matched_share
    from summary
)

select * from final
