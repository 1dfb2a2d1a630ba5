{#- The most genres one title may list. Silver splits genre lists against a
    position spine of this length, so a longer list is quarantined
    (invalid_range) rather than silently cut short. The public catalog lists
    at most three. -#}
{% macro max_title_genres() -%}
    {{ return(10) }}
{%- endmacro %}
