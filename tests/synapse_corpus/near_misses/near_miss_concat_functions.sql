{# valid on a dedicated SQL pool #}
select concat(account_id, '-', title_id) as pair_key, concat_ws('|', device, os, cdn) as client
from {{ ref('fct_playback_sessions') }}
