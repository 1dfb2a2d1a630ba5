{#-
    Composite primary-key test: no two rows share the same values in the
    given columns. Returns one row per repeated combination with how often it
    occurs. Pair it with `not_null` on each column, since rows whose key
    columns are NULL group together here and would pass as one key.
-#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

with key_counts as (
    select
        {{ combination_of_columns | join(',\n        ') }},
        count(*) as row_count
    from {{ model }}
    group by
        {{ combination_of_columns | join(',\n        ') }}
)

select * from key_counts
where row_count > 1

{% endtest %}
