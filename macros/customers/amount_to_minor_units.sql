{#- A decimal amount in major currency units as a bigint count of the
    currency's minor units (ISO 4217 exponent): cents for USD/EUR/..., but
    JPY and KRW have no minor unit, so 1500 JPY is 1500, not 150000. -#}
{% macro amount_to_minor_units(amount_column, currency_column) -%}
    cast(round({{ amount_column }} * {{ currency_minor_unit_factor(currency_column) }}, 0) as bigint)
{%- endmacro %}
