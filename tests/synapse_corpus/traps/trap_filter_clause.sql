{# finding: aggregate FILTER clause | CASE #}
select account_id, count(*) filter (where has_error = 1) as failed
from {{ ref('fct_playback_sessions') }}
group by account_id
