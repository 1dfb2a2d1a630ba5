{#-
    Title performance per ISO week (Monday start, UTC days): a row for every
    title watched or mentioned on social media that week, every KPI
    recomputed over the week, the external score as of the week's Sunday.
    The SQL is `title_performance`'s, shared with the daily mart.
-#}
{{ title_performance('week') }}
