{#-
    Every clean review score and social mention matched to at most one
    catalog title, by normalised title and release year. The match key is the
    normalised title without spaces, so a hashtag (`#TheSilentHarbor`) finds
    `The Silent Harbor`. Rule, first that applies:
      1. no catalog title has the key                      -> no_match
      2. the record has no year: exactly one title has the key
                                                         -> matched_title_only
      3. exactly one title has the key and the same year   -> matched_title_year
      4. none with the same year, exactly one a year apart (sites show the
         festival year)                                    -> matched_adjacent_year
      5. several titles fit at the deciding step           -> ambiguous
      6. titles have the key, none within a year           -> year_mismatch
    Unmatched records stay here (title_id NULL, is_matched 0) and in their
    Silver models: they are counted (title_match_summary), never dropped.
-#}
{#-
    Incremental by record (title_match_id): a run matches the clean records
    the validated models wrote since its last run (their `_refreshed_at`),
    and matches again, from what is stored here, every record whose key's
    catalog titles (`catalog_candidates`) are no longer those it was matched
    against, so a title landing or changing later re-matches old mentions as
    a full refresh would. A record id stays clean once it is (a re-delivery
    only moves which copy is kept), so no row here needs deleting. Spark's
    parquet tables cannot delete by key: there it is rebuilt whole.
-#}
{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    unique_key='title_match_id'
) }}
{%- set incremental = is_incremental() -%}
{%- set match_key = dbt.replace('normalised_title', "' '", "''") -%}

with

catalog as (
    select
        title_id,
        release_year,
        {{ match_key }} as title_match_key
    from {{ ref('int_titles_unioned') }}
),

-- The catalog titles a key names, as one comparable text.
catalog_keys as (
    select
        title_match_key,
        {{ sorted_listagg(dbt.concat([
            'title_id', "':'", "coalesce(" ~ dbt.safe_cast('release_year', dbt.type_string()) ~ ", '')"
        ]), "'|'") }} as catalog_candidates
    from catalog
    group by title_match_key
),

validated_requests as (
    select
        'social' as match_source,
        mention_id as source_record_id,
        normalised_title,
        release_year
    from {{ ref('int_social_mentions_validated') }}
    where quarantine_reason is null
    {%- if incremental %}
        and {{ refreshed_since_last_run() }}
    {%- endif %}
    union all
    select
        'reviews' as match_source,
        review_score_id as source_record_id,
        normalised_title,
        release_year
    from {{ ref('int_review_scores_validated') }}
    where quarantine_reason is null
    {%- if incremental %}
        and {{ refreshed_since_last_run() }}
    {%- endif %}
),

{% if incremental %}

    -- Records matched before whose key now names other catalog titles, and
    -- not among the records validated again.
    rematched_requests as (
        select
            stored.match_source,
            stored.source_record_id,
            stored.normalised_title,
            stored.release_year
        from {{ this }} as stored
        left join catalog_keys
            on {{ dbt.replace('stored.normalised_title', "' '", "''") }} = catalog_keys.title_match_key
        left join validated_requests
            on
                stored.match_source = validated_requests.match_source
                and stored.source_record_id = validated_requests.source_record_id
        where
            coalesce(stored.catalog_candidates, '') <> coalesce(catalog_keys.catalog_candidates, '')
            and validated_requests.source_record_id is null
    ),

{% endif %}

match_requests as (
    select * from validated_requests
    {%- if incremental %}
        union all
        select * from rematched_requests
    {%- endif %}
),

keyed_requests as (
    select
        match_source,
        source_record_id,
        normalised_title,
        release_year,
        {{ match_key }} as title_match_key
    from match_requests
),

candidates as (
    select
        keyed_requests.match_source,
        keyed_requests.source_record_id,
        count(*) as key_candidate_count,
        sum(case when catalog.release_year = keyed_requests.release_year then 1 else 0 end) as same_year_count,
        sum(case when abs(catalog.release_year - keyed_requests.release_year) = 1 then 1 else 0 end)
            as adjacent_year_count,
        max(case when catalog.release_year = keyed_requests.release_year then catalog.title_id end)
            as same_year_title_id,
        max(case when abs(catalog.release_year - keyed_requests.release_year) = 1 then catalog.title_id end)
            as adjacent_year_title_id,
        max(catalog.title_id) as key_title_id
    from keyed_requests
    inner join catalog on keyed_requests.title_match_key = catalog.title_match_key
    group by keyed_requests.match_source, keyed_requests.source_record_id
),

decided as (
    select
        keyed_requests.match_source,
        keyed_requests.source_record_id,
        keyed_requests.normalised_title,
        keyed_requests.release_year,
        catalog_keys.catalog_candidates,
        candidates.key_title_id,
        candidates.same_year_title_id,
        candidates.adjacent_year_title_id,
        coalesce(candidates.key_candidate_count, 0) as candidate_count,
        case
            when candidates.key_candidate_count is null then 'no_match'
            when keyed_requests.release_year is null
                then case when candidates.key_candidate_count = 1 then 'matched_title_only' else 'ambiguous' end
            when candidates.same_year_count = 1 then 'matched_title_year'
            when candidates.same_year_count > 1 then 'ambiguous'
            when candidates.adjacent_year_count = 1 then 'matched_adjacent_year'
            when candidates.adjacent_year_count > 1 then 'ambiguous'
            else 'year_mismatch'
        end as match_status
    from keyed_requests
    left join candidates
        on
            keyed_requests.match_source = candidates.match_source
            and keyed_requests.source_record_id = candidates.source_record_id
    left join catalog_keys on keyed_requests.title_match_key = catalog_keys.title_match_key
),

final as (
    select
        {{ dbt.concat(['match_source', "':'", 'source_record_id']) }} as title_match_id,
        match_source,
        source_record_id,
        normalised_title,
        release_year,
        case match_status
            when 'matched_title_only' then key_title_id
            when 'matched_title_year' then same_year_title_id
            when 'matched_adjacent_year' then adjacent_year_title_id
        end as title_id,
        match_status,
        case
            when match_status in ('matched_title_only', 'matched_title_year', 'matched_adjacent_year') then 1 else 0
        end
            as is_matched,
        candidate_count,
        catalog_candidates,
        {{ refresh_stamp() }} as _refreshed_at
    from decided
)

select * from final
