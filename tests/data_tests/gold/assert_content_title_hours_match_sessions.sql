{#-
    Title performance hours come from the sessions: for every title and UTC
    day (daily mart) and every title and ISO week (weekly mart), hours viewed
    and sessions equal those of fct_playback_sessions. Title-periods with
    sessions must have a row; rows without sessions (mentions only) must show
    0. Returns one row per title-period out of balance.
-#}
{%- set marts = {'day': 'mart_title_performance_daily', 'week': 'mart_title_performance_weekly'} %}
with
{% for grain, mart in marts.items() %}
    {%- set period = activity_period(grain).column %}
    {{ grain }}_sessions as (
        select
            title_id,
            {{ period_start(grain, 'session_date') }} as period_start,
            sum(watch_hours) as hours_viewed,
            count(*) as sessions
        from {{ ref('fct_playback_sessions') }}
        group by
            title_id,
            {{ period_start(grain, 'session_date') }}
    ),

    {{ grain }}_compared as (
        select
            '{{ grain }}' as grain,
            coalesce(mart.title_id, {{ grain }}_sessions.title_id) as title_id,
            coalesce(mart.{{ period }}, {{ grain }}_sessions.period_start) as period_start,
            mart.hours_viewed as mart_hours_viewed,
            coalesce({{ grain }}_sessions.hours_viewed, 0) as session_hours_viewed,
            mart.sessions as mart_sessions,
            coalesce({{ grain }}_sessions.sessions, 0) as session_sessions
        from {{ ref(mart) }} as mart
        full outer join {{ grain }}_sessions
            on
                mart.title_id = {{ grain }}_sessions.title_id
                and mart.{{ period }} = {{ grain }}_sessions.period_start
    ),
{% endfor %}

compared as (
    select * from day_compared
    union all
    select * from week_compared
)

select * from compared
where
    mart_hours_viewed is null
    or mart_hours_viewed <> session_hours_viewed
    or mart_sessions <> session_sessions
