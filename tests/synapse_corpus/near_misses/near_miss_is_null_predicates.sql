{# valid on a dedicated SQL pool #}
select session_id
from {{ ref('fct_playback_sessions') }}
where cdn is not null and (os is null or app_version is null)
