{# valid on a dedicated SQL pool #}
select accounts.account_id, days.calendar_date
from (select distinct account_id from {{ ref('fct_playback_sessions') }}) as accounts
cross join {{ ref('dim_dates') }} as days
