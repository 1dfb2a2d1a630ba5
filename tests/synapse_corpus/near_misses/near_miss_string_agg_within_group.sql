{# valid on a dedicated SQL pool #}
select account_id, string_agg(title_id, ',') within group (order by title_id) as titles
from {{ ref('fct_playback_sessions') }}
group by account_id
