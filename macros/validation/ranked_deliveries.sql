{#-
    The rows of `checked` (a CTE with `rule_reason`, NULL when a row breaks
    no rule) with their delivery rank: among the rows that break no rule, the
    order in which the copies of one key were delivered, so a corrupt copy
    never displaces a clean one. In an incremental run (`window_start` given)
    a copy read now ranks after every clean copy (kept or `duplicate`) that
    this model already holds on dates before the window, so its rank is its
    rank among the copies read plus their count: what a full refresh gives.
    Only the keys read now are counted, so a run costs what it read.
-#}
{% macro ranked_deliveries(
    checked,
    keys,
    order_by=['_loaded_at', '_source_file', '_bronze_row_id'],
    window_start=none,
    rank_as='delivery_rank',
    with_kept_row_id=false
) -%}
    {%- set partition -%}
        partition by {% for key in keys %}{{ checked }}.{{ key }}, {% endfor %}{{ checked }}.rule_reason
        order by {% for column in order_by %}{{ checked }}.{{ column }}{% if not loop.last %}, {% endif %}{% endfor %}
    {%- endset -%}
    select
        {{ checked }}.*,
        cast(
            row_number() over ({{ partition }})
            {%- if window_start %} + coalesce(earlier_copies.earlier_copy_count, 0){% endif %}
            as {{ dbt.type_bigint() }}
        ) as {{ rank_as }}
        {%- if with_kept_row_id %},
            {% if window_start %}coalesce(earlier_copies.kept_row_id, {% endif -%}
            first_value({{ checked }}._bronze_row_id) over (
                {{ partition }}
                rows between unbounded preceding and unbounded following
            ){% if window_start %}){% endif %} as kept_row_id
        {%- endif %}
    from {{ checked }}
    {%- if window_start %}
        left join (
            select
                {{ keys | join(', ') }},
                count(*) as earlier_copy_count,
                max(case when stored.quarantine_reason is null then stored._bronze_row_id end) as kept_row_id
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
