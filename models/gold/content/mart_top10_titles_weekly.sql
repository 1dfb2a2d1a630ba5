{#-
    The ten titles with the most hours viewed per country (where watched) and
    ISO week (Monday start, UTC days). The SQL is `top10_titles`'s, shared
    with the daily mart.
-#}
{{ top10_titles('week') }}
