{#-
    Title performance per UTC day: a row for every title watched or mentioned
    on social media that day, the external score as of the end of the day.
    The SQL is `title_performance`'s, shared with the weekly mart.
-#}
{{ title_performance('day') }}
