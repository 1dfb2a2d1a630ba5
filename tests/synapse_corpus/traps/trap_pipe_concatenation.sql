{# finding: `||` concatenation | CONCAT #}
select account_id || '-' || title_id as pair_key
from {{ ref('fct_playback_sessions') }}
