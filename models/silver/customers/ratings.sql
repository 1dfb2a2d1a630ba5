{#- Trusted thumbs ratings of titles by profiles. -#}
with trusted as (
    select * from {{ ref('int_ratings_validated') }}
    where quarantine_reason is null
),

ratings as (
    select
        rating_id,
        account_id,
        profile_id,
        title_id,
        thumb,
        rated_at,
        _bronze_row_id,
        _ingest_date
    from trusted
)

select * from ratings
