{#- A title reduced to what survives the ways people and sites write it, so
    that a review page or a social post can be matched to a catalog title:
    lower case; a trailing `(YYYY)` dropped; a trailing `, The` (a sorting
    style of review sites) moved to the front; punctuation removed rather
    than replaced by a space, so `Nadia's` and `Nadias` agree; runs of white
    space collapsed to one space; trimmed. NULL stays NULL. -#}
{% macro normalise_title(column) -%}
    {{ return(adapter.dispatch('normalise_title', 'flick')(column)) }}
{%- endmacro %}

{% macro default__normalise_title(column) -%}
    {{ exceptions.raise_compiler_error("normalise_title has no implementation for adapter '" ~ adapter.type() ~ "'; add a " ~ adapter.type() ~ "__normalise_title macro") }}
{%- endmacro %}

{#- RE2: \p{L}\p{N} keep letters and digits of any script. -#}
{% macro duckdb__normalise_title(column) -%}
    trim(regexp_replace(
        regexp_replace(
            regexp_replace(
                regexp_replace(lower({{ column }}), '\s*\(\d{4}\)\s*$', ''),
                '^(.*\S)\s*,\s*the\s*$', 'the \1'
            ),
            '[^\p{L}\p{N}\s]', '', 'g'
        ),
        '\s+', ' ', 'g'
    ))
{%- endmacro %}

{#- Java regex: every match is replaced, groups are `$1`, and backslashes
    are doubled because Spark SQL string literals unescape them. -#}
{% macro spark__normalise_title(column) -%}
    trim(regexp_replace(
        regexp_replace(
            regexp_replace(
                regexp_replace(lower({{ column }}), '\\s*\\(\\d{4}\\)\\s*$', ''),
                '^(.*\\S)\\s*,\\s*the\\s*$', 'the $1'
            ),
            '[^\\p{L}\\p{N}\\s]', ''
        ),
        '\\s+', ' '
    ))
{%- endmacro %}

{#- T-SQL has no regular expressions, so this approximates the other
    engines: it removes a fixed list of ASCII and typographic punctuation
    (other symbols survive), treats only spaces, tabs and line breaks as
    white space, and finds the `(YYYY)` and `, The` suffixes with LIKE.
    Titles that differ only in a symbol outside the list can therefore
    match on DuckDB and Spark but not on Synapse. -#}
{% macro fabric__normalise_title(column) -%}
    {%- set punctuation = [
        "'", '"', '.', ',', ':', ';', '!', '?', '-', '(', ')', '[', ']', '{', '}', '&', '/', '\\',
        '*', '+', '#', '@', '%', '$', '_', '~', '`', '^', '|', '<', '>', '=',
        '’', '‘', '“', '”', '–', '—', '…'
    ] -%}
    {%- set spaced = "rtrim(replace(replace(replace(lower(" ~ column ~ "), char(9), ' '), char(10), ' '), char(13), ' '))" -%}
    {%- set unyeared -%}
        rtrim(case
            when {{ spaced }} like '%([0-9][0-9][0-9][0-9])' then left({{ spaced }}, len({{ spaced }}) - 6)
            else {{ spaced }}
        end)
    {%- endset -%}
    {%- set article_first -%}
        case
            when {{ unyeared }} like '%_, the' then concat('the ', left({{ unyeared }}, len({{ unyeared }}) - 5))
            else {{ unyeared }}
        end
    {%- endset -%}
    {#- One replace() per mark: Synapse dedicated pools have no translate(). -#}
    {%- set stripped -%}
        {{ 'replace(' * (punctuation | length) }}{{ article_first }}
        {%- for mark in punctuation %}, '{{ mark | replace("'", "''") }}', ''){% endfor %}
    {%- endset -%}
    {#- Collapse runs of spaces: mark each space's end, drop marks that follow a space, then the marks. -#}
    ltrim(rtrim(replace(replace(replace({{ stripped }}, ' ', ' ' + char(7)), char(7) + ' ', ''), char(7), '')))
{%- endmacro %}
