{#- An expression that fails the query, saying how to provide the e-mail hash
    salt. salted_hash puts it in the first branch of its CASE: engines fold a
    NULL salt through `||` to NULL before evaluating an error nested inside the
    concatenation (seen on DuckDB), so the check must stand on its own. -#}
{% macro missing_email_hash_salt_error() -%}
    {{ return(adapter.dispatch('missing_email_hash_salt_error', 'flick')()) }}
{%- endmacro %}

{% macro default__missing_email_hash_salt_error() -%}
    raise_error('No salt for hashing e-mail addresses: set FLICK_EMAIL_HASH_SALT (from a secret store, never the repo) before starting the Spark session')
{%- endmacro %}

{% macro duckdb__missing_email_hash_salt_error() -%}
    error('No salt for hashing e-mail addresses: set FLICK_EMAIL_HASH_SALT (from a secret store, never the repo) and enable the flick_ops.duckdb_session plugin in the profile; make creates a random local salt in .flick/email_hash_salt')
{%- endmacro %}

{#- T-SQL has no error function usable in an expression: a failing conversion
    carries the message into the error text. -#}
{% macro fabric__missing_email_hash_salt_error() -%}
    cast(cast('No salt for hashing e-mail addresses: load the Key Vault salt into the salt table' as int) as varchar(64))
{%- endmacro %}
