{#- Trusted subscription lifecycle and payment events, amounts in minor units. -#}
with trusted as (
    select * from {{ ref('int_subscription_events_validated') }}
    where quarantine_reason is null
),

subscription_events as (
    select
        event_id,
        account_id,
        event_type,
        plan_id,
        amount_minor,
        currency,
        event_ts,
        _bronze_row_id,
        _ingest_date
    from trusted
)

select * from subscription_events
