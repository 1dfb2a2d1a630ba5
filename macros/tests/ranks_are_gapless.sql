{#-
    Ranks within each partition are exactly 1, 2, ..., n: none missing, none
    repeated, none below 1. With `descending_by`, that column also never
    rises as the rank falls (rank 1 holds the largest value). Returns one row
    per broken partition and one per out-of-order rank, with the partition's
    columns and what failed. Pair it with `not_null` on the rank: a NULL rank
    beside others shows here as a gap, a partition of NULL ranks not at all.
-#}
{% test ranks_are_gapless(model, column_name, partition_by, descending_by=none) %}

{%- set partition_columns = partition_by | join(', ') %}

with ranks as (
    select
        {{ partition_columns }},
        {{ column_name }} as ranked_position
        {%- if descending_by is not none %},
        {{ descending_by }} as ranked_value,
        lag({{ descending_by }}) over (
            partition by {{ partition_columns }} order by {{ column_name }}
        ) as higher_ranked_value
        {%- endif %}
    from {{ model }}
),

rank_sets as (
    select
        {{ partition_columns }},
        count(*) as ranked_rows,
        count(distinct ranked_position) as distinct_ranks,
        min(ranked_position) as first_rank,
        max(ranked_position) as last_rank
    from ranks
    group by {{ partition_columns }}
)

select
    {{ partition_columns }},
    'ranks are not 1..n' as failure
from rank_sets
where
    first_rank <> 1
    or last_rank <> ranked_rows
    or distinct_ranks <> ranked_rows
{%- if descending_by is not none %}

union all

select
    {{ partition_columns }},
    '{{ descending_by }} rises as the rank falls' as failure
from ranks
where ranked_value > higher_ranked_value
{%- endif %}

{% endtest %}
