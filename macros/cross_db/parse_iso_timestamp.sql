{#- The contract's ISO-8601 UTC text (`2026-10-01T19:04:05Z`, optionally with
    fractional seconds, `...05.123Z`) as a UTC timestamp without time zone;
    NULL for any other text, so a mistyped value never fails a query. -#}
{% macro parse_iso_timestamp(column) -%}
    {{ return(adapter.dispatch('parse_iso_timestamp', 'flick')(column)) }}
{%- endmacro %}

{% macro default__parse_iso_timestamp(column) -%}
    {{ dbt.safe_cast(column, dbt.type_timestamp()) }}
{%- endmacro %}

{#- strptime formats are exact, so text without the `T` and `Z` is rejected.
    A dot tells which of the two formats can match (text with one never
    matches the whole-seconds format, text without one never the other), and
    only that one is tried: a failed attempt costs twice a successful parse,
    which is a second per 3M playback timestamps. -#}
{% macro duckdb__parse_iso_timestamp(column) -%}
    case
        when contains({{ column }}, '.') then try_strptime({{ column }}, '%Y-%m-%dT%H:%M:%S.%fZ')
        else try_strptime({{ column }}, '%Y-%m-%dT%H:%M:%SZ')
    end
{%- endmacro %}

{#- Pattern letter X reads the `Z` as a UTC offset, so the session time zone
    does not shift the result. -#}
{% macro spark__parse_iso_timestamp(column) -%}
    try_to_timestamp({{ column }}, 'yyyy-MM-dd\'T\'HH:mm:ss[.SSS]X')
{%- endmacro %}

{#- Style 127 is ISO-8601 with the `Z` designator; the LIKE guard keeps other
    layouts that try_convert would accept (e.g. without the `T`) out. -#}
{% macro fabric__parse_iso_timestamp(column) -%}
    case
        when {{ column }} like '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]%Z'
            then try_convert(datetime2(3), {{ column }}, 127)
    end
{%- endmacro %}
