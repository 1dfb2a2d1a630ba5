{#- The rows of `relation` (with `account_id`, `profile_id`, `title_id`)
    with what `profile_reference_rules` checks: 0/1 flags for a known
    account, profile and title, and the account the profile belongs to. -#}
{% macro profile_references(relation) -%}
    select
        {{ relation }}.*,
        known_profiles.account_id as profile_account_id,
        case when known_accounts.account_id is null then 0 else 1 end as is_known_account,
        case when known_profiles.profile_id is null then 0 else 1 end as is_known_profile,
        case when known_titles.title_id is null then 0 else 1 end as is_known_title
    from {{ relation }}
    left join (select distinct account_id from {{ ref('account_versions') }}) as known_accounts
        on {{ relation }}.account_id = known_accounts.account_id
    left join {{ ref('profiles') }} as known_profiles on {{ relation }}.profile_id = known_profiles.profile_id
    left join {{ ref('titles') }} as known_titles on {{ relation }}.title_id = known_titles.title_id
{%- endmacro %}
