{# valid on a dedicated SQL pool #}
select session_id, isnull(cdn, 'unknown') as cdn, coalesce(os, app_version, 'unknown') as client, nullif(error_count, 0) as errors
from {{ ref('fct_playback_sessions') }}
