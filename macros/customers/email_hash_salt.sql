{#- SQL that yields the secret salt for hashing e-mail addresses, read at run
    time so that the salt never appears in compiled SQL, target/ or dbt's log:
      DuckDB      the session variable set by the flick_ops.duckdb_session
                  plugin from FLICK_EMAIL_HASH_SALT;
      Databricks  secret(<scope>, 'email-hash-salt') from a secret scope;
      Synapse     a one-row table loaded from Key Vault by the platform.
    Without a salt the query fails with a message instead of hashing with an
    empty (reversible) salt. Unit tests pass a literal through
    var('email_hash_salt_for_unit_tests'); nothing else should. -#}
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
    coalesce(
        getvariable('flick_email_hash_salt'),
        error('No salt for hashing e-mail addresses: set FLICK_EMAIL_HASH_SALT (from a secret store, never the repo) and enable the flick_ops.duckdb_session plugin in the profile; make creates a random local salt in .flick/email_hash_salt.')
    )
{%- endmacro %}

{% macro spark__email_hash_salt() -%}
    secret('{{ var("secret_scope", "flick") }}', 'email-hash-salt')
{%- endmacro %}

{% macro fabric__email_hash_salt() -%}
    (select salt from {{ var('email_hash_salt_table', 'security.email_hash_salt') }})
{%- endmacro %}
