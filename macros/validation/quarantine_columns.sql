{#- A validated model's verdict: the rule a row breaks (`rule_reason`,
    `rule_detail`), else the first duplicate rule that holds, as
    `quarantine_reason` and `quarantine_detail`. -#}
{% macro quarantine_columns(duplicate_rules, relation=none) -%}
    {%- set prefix = relation ~ '.' if relation else '' -%}
    {{ validation_columns(
        duplicate_rules,
        earlier=(prefix ~ 'rule_reason', prefix ~ 'rule_detail'),
        reason_as='quarantine_reason',
        detail_as='quarantine_detail'
    ) }}
{%- endmacro %}
