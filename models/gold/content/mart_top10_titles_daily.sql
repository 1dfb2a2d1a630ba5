{#-
    The ten titles with the most hours viewed per country (where watched) and
    UTC day. The SQL is `top10_titles`'s, shared with the weekly mart.
-#}
{{ top10_titles('day') }}
