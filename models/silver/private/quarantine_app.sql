{#-
    Every landed app row Silver could not trust, with its reason and its raw
    payload (which carries e-mails and names, hence private). One row per
    rejected landed row; re-deliveries are here too, as `duplicate`.
-#}
{%- set entities = [
    ('accounts', 'int_accounts_validated'),
    ('profiles', 'int_profiles_validated'),
    ('subscription_events', 'int_subscription_events_validated'),
    ('ratings', 'int_ratings_validated'),
    ('watchlist_adds', 'int_watchlist_adds_validated'),
] -%}

with
{% for entity_name, validated_model in entities %}
    {{ entity_name }}_rejected as (
        select
            _bronze_row_id,
            'app' as source_name,
            '{{ entity_name }}' as entity_name,
            quarantine_reason,
            quarantine_detail,
            _raw_payload,
            _source_file,
            _ingest_date,
            _loaded_at
        from {{ ref(validated_model) }}
        where quarantine_reason is not null
    ),
{% endfor %}

rejected as (
    {%- for entity_name, validated_model in entities %}
        select * from {{ entity_name }}_rejected
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select * from rejected
