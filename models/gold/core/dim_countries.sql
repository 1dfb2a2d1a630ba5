with

countries as (
    select * from {{ ref('countries') }}
),

final as (
    select
        cast(country_code as varchar(2)) as country_code,
        cast(country_name as varchar(64)) as country_name,
        cast(region as varchar(8)) as region,
        cast(currency_code as varchar(3)) as currency_code,
        cast(utc_offset_hours as decimal(4, 1)) as utc_offset_hours
    from countries
)

select * from final
