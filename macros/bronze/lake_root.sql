{#- The lake's root folder as the Bronze sources read it: `--vars lake_root` if
    given, else env FLICK_LAKE_ROOT, else `lake` (the demo's folder). The source
    YAML, which cannot call macros, spells out the same expression. -#}
{% macro lake_root() -%}
    {{ return(var('lake_root', env_var('FLICK_LAKE_ROOT', 'lake'))) }}
{%- endmacro %}
