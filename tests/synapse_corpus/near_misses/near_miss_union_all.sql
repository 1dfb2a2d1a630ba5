{# valid on a dedicated SQL pool #}
select account_id, 'session' as source_kind
from {{ ref('fct_playback_sessions') }}
union all
select title_id as account_id, 'title' as source_kind
from {{ ref('dim_titles') }}
