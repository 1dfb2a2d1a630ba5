{#- Trusted additions of titles to profiles' watchlists. -#}
with trusted as (
    select * from {{ ref('int_watchlist_adds_validated') }}
    where quarantine_reason is null
),

watchlist_adds as (
    select
        event_id,
        account_id,
        profile_id,
        title_id,
        added_at,
        _bronze_row_id,
        _ingest_date
    from trusted
)

select * from watchlist_adds
