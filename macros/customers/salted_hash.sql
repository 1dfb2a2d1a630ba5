{#- Hex SHA-256 of the salt followed by the normalised value (trimmed, lower
    case), so `  Ana@Example.COM` and `ana@example.com` hash alike; NULL stays
    NULL rather than becoming the hash of the bare salt. Every engine returns
    the same 64 lower-case hex characters for the same salt and value. -#}
{% macro salted_hash(column) -%}
    {%- set normalised = "lower(trim(" ~ column ~ "))" -%}
    case
        when {{ column }} is not null
            then {{ sha256_hex(dbt.concat([email_hash_salt(), normalised])) }}
    end
{%- endmacro %}
