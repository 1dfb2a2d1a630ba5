{#-
    How many clean copies (kept or `duplicate`) of each key this model
    already holds on ingest dates before `window_start`, as a select of the
    keys and `earlier_copy_count`. A feed whose copies rank by landing
    (`_loaded_at`, the start of the ingest date) puts every copy read in an
    incremental run after those, so its rank there is the rank among the
    copies read plus this count: what a full refresh gives. For an
    incremental model's incremental branch only.
-#}
{% macro clean_copies_before(keys, window_start) -%}
    select
        {{ keys | join(', ') }},
        count(*) as earlier_copy_count
    from {{ this }}
    where
        _ingest_date < {{ window_start }}
        and (quarantine_reason is null or quarantine_reason = 'duplicate')
    group by {{ keys | join(', ') }}
{%- endmacro %}
