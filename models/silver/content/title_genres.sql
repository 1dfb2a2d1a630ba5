{#- Titles' genre lists split into rows against a spine of list positions
    (1 to max_title_genres(); longer lists were quarantined upstream), each
    genre mapped to its group by the genres seed. -#}

with

titles as (
    select
        title_id,
        genres,
        genre_count
    from {{ ref('int_titles_unioned') }}
),

genre_positions as (
    {%- for position in range(1, max_title_genres() + 1) %}
        {{ 'union all' if not loop.first }}
        select {{ position }} as genre_position
    {%- endfor %}
),

split as (
    select
        titles.title_id,
        genre_positions.genre_position,
        trim({{ split_part_at('titles.genres', "','", 'genre_positions.genre_position') }}) as genre_name
    from titles
    inner join genre_positions on titles.genre_count >= genre_positions.genre_position
),

genre_groups as (
    select
        genre_name,
        genre_group
    from {{ ref('genres') }}
),

final as (
    select
        {{ dbt.concat(['split.title_id', "':'", dbt.safe_cast('split.genre_position', dbt.type_string())]) }}
            as title_genre_id,
        split.title_id,
        split.genre_position,
        split.genre_name,
        genre_groups.genre_group,
        case when genre_groups.genre_name is null then 0 else 1 end as is_known_genre
    from split
    left join genre_groups on split.genre_name = genre_groups.genre_name
)

select * from final
