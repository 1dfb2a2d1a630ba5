{# valid on a dedicated SQL pool #}
select session_id, rank() over (partition by country_code order by watch_time_ms desc) as watch_rank, dense_rank() over (order by session_date) as day_number
from {{ ref('fct_playback_sessions') }}
