{#-
    Genre and device shares are shares of a whole: for an account that
    watched in the last 28 days each set adds up to 1 (within the rounding of
    ten or three 6-decimal shares), and no share leaves 0..1. Without
    watching, the shares are NULL. Returns the accounts where this breaks.
-#}
with

features as (
    select
        account_id,
        watch_hours_28d,
        sessions_28d,
        genre_share_action,
        genre_share_comedy,
        genre_share_drama,
        genre_share_documentary,
        genre_share_kids_family,
        genre_share_scifi_fantasy,
        genre_share_horror,
        genre_share_thriller,
        genre_share_romance,
        genre_share_other,
        device_share_tv,
        device_share_mobile,
        device_share_web
    from {{ ref('ml_account_features') }}
),

totals as (
    select
        *,
        genre_share_action + genre_share_comedy + genre_share_drama + genre_share_documentary
        + genre_share_kids_family + genre_share_scifi_fantasy + genre_share_horror + genre_share_thriller
        + genre_share_romance + genre_share_other as genre_share_total,
        device_share_tv + device_share_mobile + device_share_web as device_share_total,
        case
            when
                genre_share_action not between 0 and 1
                or genre_share_comedy not between 0 and 1
                or genre_share_drama not between 0 and 1
                or genre_share_documentary not between 0 and 1
                or genre_share_kids_family not between 0 and 1
                or genre_share_scifi_fantasy not between 0 and 1
                or genre_share_horror not between 0 and 1
                or genre_share_thriller not between 0 and 1
                or genre_share_romance not between 0 and 1
                or genre_share_other not between 0 and 1
                or device_share_tv not between 0 and 1
                or device_share_mobile not between 0 and 1
                or device_share_web not between 0 and 1
                then 1
            else 0
        end as has_share_out_of_range
    from features
)

select * from totals
where
    has_share_out_of_range = 1
    or (watch_hours_28d > 0 and (genre_share_total is null or abs(genre_share_total - 1) > 0.00001))
    or (sessions_28d > 0 and (device_share_total is null or abs(device_share_total - 1) > 0.00001))
    or (watch_hours_28d = 0 and genre_share_total is not null)
    or (sessions_28d = 0 and device_share_total is not null)
