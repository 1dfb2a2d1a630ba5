{#-
    The relation a generic test reads: dbt's own (the test's `where` config,
    if any) narrowed, in a run that tests only what it wrote, to the rows of
    an incremental model written since `FLICK_TESTS_WRITTEN_SINCE`. See
    `tested_rows`.
-#}
{% macro get_where_subquery(relation) -%}
    {%- set predicates = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- do predicates.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- set written = tested_rows(relation) -%}
    {%- if written -%}
        {%- do predicates.append(written) -%}
    {%- endif -%}
    {%- if predicates -%}
        {%- do return('(select * from ' ~ relation ~ ' as tested where ' ~ predicates | join(' and ') ~ ') dbt_subquery') -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}


{#-
    The predicate (on alias `tested`) that keeps a test to the rows this run
    wrote, or '' to test every row. `flick-ops run` sets the environment
    variable FLICK_TESTS_WRITTEN_SINCE to the run's start when it builds only
    what landed; unset (any `dbt build` by hand, `flick-ops run
    --full-tests`, a first run) every row is tested.

    Only incremental models stamping `_refreshed_at` (refresh_stamp) are
    narrowed: a model rebuilt whole is tested whole. Row tests see the rows
    written since then. Key tests (`unique`, `unique_combination_of_columns`)
    see every stored row whose key a written row has, so a new key that
    repeats a stored one still fails.
-#}
{% macro tested_rows(relation) -%}
    {%- set since = env_var('FLICK_TESTS_WRITTEN_SINCE', '') -%}
    {%- if not since or not execute or model.resource_type != 'test' or not model.attached_node -%}
        {%- do return('') -%}
    {%- endif -%}
    {%- set tested_model = graph.nodes.get(model.attached_node) -%}
    {%- if tested_model is none
        or tested_model.config.materialized != 'incremental'
        or '_refreshed_at' not in tested_model.columns
        or relation.identifier | lower != tested_model.alias | lower -%}
        {%- do return('') -%}
    {%- endif -%}
    {%- set stamp = "cast('" ~ since ~ "' as " ~ dbt.type_timestamp() ~ ")" -%}
    {%- set test = model.test_metadata or {} -%}
    {%- if test.name == 'unique' -%}
        {%- set keys = [model.column_name] -%}
    {%- elif test.name == 'unique_combination_of_columns' -%}
        {%- set keys = test.kwargs.combination_of_columns -%}
    {%- else -%}
        {%- do return('tested._refreshed_at >= ' ~ stamp) -%}
    {%- endif -%}
    {%- set matches = [] -%}
    {%- for key in keys if modules.re.fullmatch('[A-Za-z_][A-Za-z0-9_]*', key) -%}
        {%- do matches.append('written.' ~ key ~ ' = tested.' ~ key) -%}
    {%- endfor -%}
    {%- if matches | length != keys | length -%}
        {%- do return('') -%}  {#- a key that is an expression: test every row -#}
    {%- endif -%}
    {%- do return(
        'exists (select 1 from ' ~ relation ~ ' as written where written._refreshed_at >= ' ~ stamp
        ~ ' and ' ~ matches | join(' and ') ~ ')'
    ) -%}
{%- endmacro %}
