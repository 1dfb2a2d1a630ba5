{# valid on a dedicated SQL pool #}
select title_id
from {{ ref('dim_titles') }}
except
select title_id
from {{ ref('fct_playback_sessions') }}
