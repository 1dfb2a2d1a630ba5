{#- How many minor units make one major unit of a currency (10 to the power
    of its ISO 4217 exponent). Currencies the app bills in without a minor
    unit are listed; every other accepted currency has two decimals. -#}
{% macro currency_minor_unit_factor(currency_column) -%}
    case when upper({{ currency_column }}) in ('JPY', 'KRW') then 1 else 100 end
{%- endmacro %}
