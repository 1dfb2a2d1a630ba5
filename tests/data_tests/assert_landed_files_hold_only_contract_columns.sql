{#-
    Schema drift, made visible: one row per landed CSV file with a column the
    landing contract does not know, naming the file, the columns and their
    first values. A warning, not an error: the file is read, the unknown
    column's values stay in each row's `_raw_payload`, and the contract (the
    source YAML) decides whether the column joins it.
-#}
{{ config(severity='warn', tags=['bronze']) }}

select
    landed_file,
    unknown_columns
from {{ ref('stg_intake__landed_files') }}
where unknown_columns is not null
