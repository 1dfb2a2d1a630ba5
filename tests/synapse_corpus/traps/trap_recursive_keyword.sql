{# finding: recursive CTE | RECURSIVE #}
with recursive numbers as (select 1 as n)
select n from numbers
