{# finding: recursive CTE | reads itself #}
with numbers as (
    select 1 as n
    union all
    select n + 1 as n from numbers where n < 10
)

select n from numbers
