{#-
    The rows of `checked` (a CTE with `rule_reason`, NULL when a row breaks
    no rule) with `copy_rank`: among the rows that break no rule, the order
    in which the copies of one key landed (`_loaded_at`, the start of the
    ingest date, then file and Bronze row id), so a corrupt copy never
    displaces a clean one. In an incremental run (`window_start` given) a
    copy read now ranks after every clean copy (kept or `duplicate`) that
    this model already holds on dates before the window, so its rank is its
    rank among the copies read plus their count: what a full refresh gives.
    Only the keys read now are counted, so a run costs what it read.
-#}
{% macro ranked_by_landing(checked, keys, window_start=none) -%}
    select
        {{ checked }}.*,
        row_number() over (
            partition by {% for key in keys %}{{ checked }}.{{ key }}, {% endfor %}{{ checked }}.rule_reason
            order by {{ checked }}._loaded_at, {{ checked }}._source_file, {{ checked }}._bronze_row_id
        )
        {%- if window_start %} + coalesce(earlier_copies.earlier_copy_count, 0){% endif %} as copy_rank
    from {{ checked }}
    {%- if window_start %}
        left join (
            select
                {{ keys | join(', ') }},
                count(*) as earlier_copy_count
            from {{ this }} as stored
            where
                stored._ingest_date < {{ window_start }}
                and (stored.quarantine_reason is null or stored.quarantine_reason = 'duplicate')
                and exists (
                    select 1
                    from {{ checked }} as batch
                    where
                        {%- for key in keys %}
                            batch.{{ key }} = stored.{{ key }}{% if not loop.last %} and{% endif %}
                        {%- endfor %}
                )
            group by {{ keys | join(', ') }}
        ) as earlier_copies
            on
                {%- for key in keys %}
                    {{ checked }}.{{ key }} = earlier_copies.{{ key }} and
                {%- endfor %}
                {{ checked }}.rule_reason is null
    {%- endif %}
{%- endmacro %}
