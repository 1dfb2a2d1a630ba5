{#-
    A profile's continue-watching row is ranked 1..n without gaps or ties:
    returns the profiles whose ranks are not exactly 1, 2, ..., n.
-#}
select
    profile_id,
    count(*) as titles,
    min(continue_watching_rank) as lowest_rank,
    max(continue_watching_rank) as highest_rank,
    count(distinct continue_watching_rank) as distinct_ranks
from {{ ref('mart_continue_watching') }}
group by profile_id
having
    min(continue_watching_rank) <> 1
    or max(continue_watching_rank) <> count(*)
    or count(distinct continue_watching_rank) <> count(*)
