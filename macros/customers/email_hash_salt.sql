{#- SQL that yields the secret salt for hashing e-mail addresses, read at run
    time so that the salt never appears in compiled SQL, target/ or dbt's log:
      DuckDB      the session variable set by the flick_ops.duckdb_session
                  plugin from FLICK_EMAIL_HASH_SALT;
      Databricks  secret(<scope>, 'email-hash-salt') from a secret scope;
      Spark       the session variable flick_email_hash_salt (local runs);
      Synapse     a one-row table loaded from Key Vault by the platform.
    NULL when no salt is set: salted_hash then fails the query with
    missing_email_hash_salt_error() rather than hash with an empty (reversible)
    salt. Unit tests pass a literal through var('email_hash_salt_for_unit_tests');
    nothing else should. -#}
{% macro email_hash_salt() -%}
    {%- set unit_test_salt = var('email_hash_salt_for_unit_tests', none) -%}
    {%- if unit_test_salt is not none -%}
        '{{ unit_test_salt | replace("'", "''") }}'
    {%- else -%}
        {{ adapter.dispatch('email_hash_salt', 'flick')() }}
    {%- endif -%}
{%- endmacro %}

{% macro default__email_hash_salt() -%}
    {{ exceptions.raise_compiler_error(
        "No way to read the e-mail hash salt on adapter '" ~ adapter.type() ~ "': add an email_hash_salt implementation."
    ) }}
{%- endmacro %}

{% macro duckdb__email_hash_salt() -%}
    getvariable('flick_email_hash_salt')
{%- endmacro %}

{% macro databricks__email_hash_salt() -%}
    secret('{{ var("secret_scope", "flick") }}', 'email-hash-salt')
{%- endmacro %}

{#- Apache Spark has no secret(): the session variable that
    flick_ops.spark.session declares and sets from FLICK_EMAIL_HASH_SALT. -#}
{% macro spark__email_hash_salt() -%}
    system.session.flick_email_hash_salt
{%- endmacro %}

{% macro fabric__email_hash_salt() -%}
    (select salt from {{ var('email_hash_salt_table', 'security.email_hash_salt') }})
{%- endmacro %}
