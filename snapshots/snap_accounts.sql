{#-
    SCD type 2 history of each account's plan, status and churn state.
    Only the tracked columns are selected: a snapshot freezes every other
    column at the time its version was written, which would leave stale
    countries and e-mail hashes in the history. Configured in
    _snapshots__accounts.yml.
-#}
{% snapshot snap_accounts %}

    select
        account_id,
        plan_id,
        status,
        is_churned,
        state_changed_at
    from {{ ref('accounts') }}

{% endsnapshot %}
