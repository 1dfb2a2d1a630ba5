{#-
    SCD type 2 history of each title's metadata: name, maturity rating,
    synopsis, genres, runtime, seasons and episodes (a vendor re-rating a
    title or rewriting its synopsis in a later weekly file; a studio series
    renewed for a season). Only the tracked columns are selected, so the
    history holds no stale copies of anything else. Placeholders of
    quarantined titles have no metadata to track and are left out until a
    clean version lands. Configured in _snapshots__titles.yml.
-#}
{% snapshot snap_titles %}

    select
        title_id,
        title_source,
        title_name,
        maturity_rating,
        description,
        genres,
        runtime_min,
        season_count,
        episode_count,
        metadata_updated_at
    from {{ ref('titles') }}
    where is_metadata_quarantined = 0

{% endsnapshot %}
