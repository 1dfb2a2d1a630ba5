{# valid on a dedicated SQL pool #}
select session_id, upper(ltrim(rtrim(os))) as os, replace(replace(app_version, 'v', ''), '-beta', '') as version, reverse(device) as device_reversed
from {{ ref('fct_playback_sessions') }}
