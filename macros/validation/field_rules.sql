{#- The contract's field rules for a feed landed as text: every required
    text field non-empty and every required typed field present
    (`missing_required`), then every typed field a value of its logical type
    (`bad_type`). -#}
{% macro field_rules(required_text_fields, required_typed_fields, typed_fields) -%}
    {{ return(
        missing_rules(required_text_fields, "coalesce({}, '') = ''")
        + missing_rules(required_typed_fields, '{}_raw is null')
        + mistyped_rules(typed_fields)
    ) }}
{%- endmacro %}
