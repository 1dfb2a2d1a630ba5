with

device_classes as (
    select * from {{ ref('device_classes') }}
),

final as (
    select
        cast(device as varchar(32)) as device,
        cast(device_class as varchar(8)) as device_class,
        cast(screen as varchar(8)) as screen
    from device_classes
)

select * from final
