{# valid on a dedicated SQL pool #}
{{ config(materialized='table', dist='HASH(account_id)', index='CLUSTERED COLUMNSTORE INDEX') }}

select account_id, count(*) as sessions
from {{ ref('fct_playback_sessions') }}
group by account_id
