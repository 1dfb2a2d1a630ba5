{# valid on a dedicated SQL pool #}
select session_id
from {{ ref('fct_playback_sessions') }}
where isnull(cdn, '') <> '' and coalesce(os, '') <> 'unknown'
