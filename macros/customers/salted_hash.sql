{#- Hex SHA-256 of the salt followed by the normalised value (trimmed, lower
    case), so `  Ana@Example.COM` and `ana@example.com` hash alike; NULL stays
    NULL rather than becoming the hash of the bare salt. Every engine returns
    the same 64 lower-case hex characters for the same salt and value. -#}
{% macro salted_hash(column) -%}
    {%- set salt = email_hash_salt() -%}
    {%- set normalised = "lower(trim(" ~ column ~ "))" -%}
    case
        when {{ salt }} is null then {{ missing_email_hash_salt_error() }}
        when {{ column }} is not null
            then {{ sha256_hex(dbt.concat([salt, normalised])) }}
    end
{%- endmacro %}
