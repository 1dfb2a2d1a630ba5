{#- The `orphan_reference` rules of a row that names an account, a profile
    of that same account and a title, from the 0/1 flags `is_known_account`,
    `is_known_profile`, `is_known_title` and the profile's own
    `profile_account_id`. -#}
{% macro profile_reference_rules() -%}
    {{ return([
        ('orphan_reference', 'is_known_account = 0', ["'account_id not in Silver accounts: '", 'account_id']),
        ('orphan_reference', 'is_known_profile = 0', ["'profile_id not in Silver profiles: '", 'profile_id']),
        ('orphan_reference', 'is_known_title = 0', ["'title_id not in Silver titles: '", 'title_id']),
        ('orphan_reference', 'profile_account_id <> account_id',
            ["'profile_id belongs to another account: '", 'profile_account_id']),
    ]) }}
{%- endmacro %}
