{# valid on a dedicated SQL pool #}
{{ config(materialized='table', dist='REPLICATE', index='HEAP') }}

select distinct country_code
from {{ ref('fct_playback_sessions') }}
