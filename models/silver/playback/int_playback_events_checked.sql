{#-
    Every landed playback event once, typed and cleaned, with the first rule it
    breaks (rule_reason, NULL when clean) of: malformed > missing_required >
    bad_type > invalid_enum > invalid_range > future_timestamp >
    orphan_reference. Re-deliveries are not ranked here (that is
    int_playback_event_deliveries); int_playback_events_validated joins the
    two. The landed line is kept for a row that breaks a rule and for every
    copy of an event that landed more than once, since all copies but one
    will be `duplicate`: stg_playback__event_ids tells which before the
    events are parsed, so no sort over every wide row is needed to find them.
-#}
{#-
    Incremental: a run re-validates the ingest dates from
    incremental_window_start('_ingest_date', ...) on (on DuckDB the oldest
    date holding a Bronze file no row here came from; elsewhere the newest
    date here minus var('incremental_lookback_days')) and replaces them
    whole, stamping them `_refreshed_at` for playback_events; older dates
    are not read again. An event of those dates also counts as landed
    more than once when a row of an older date here carries its id. So the
    first copy of an event re-delivered in a later run keeps no line (its
    date was done), where a full refresh keeps one; the validated view shows
    a line for duplicates only, so it is the same either way.
-#}
{{ config(
    materialized='incremental',
    unique_key='_ingest_date',
    partition_by=['_ingest_date'] if target.type == 'spark' else none
) }}

{%- set client_ts_limit = dbt.dateadd('minute', var('future_tolerance_minutes'), 'events.enqueued_time') -%}
{%- set window_start = incremental_window_start('_ingest_date', 'bronze/playback/events/*/*.jsonl') -%}
{%- set rules = [('malformed', 'events._is_valid_json = 0', "'line is not a JSON object'")]
    + missing_rules([
        'event_id', 'session_id', 'account_id', 'profile_id', 'title_id', 'event_type',
        'device', 'os', 'app_version', 'cdn', 'country'
    ], 'events.{} is null')
    + missing_rules(['position_ms', 'client_ts', 'enqueued_time'], 'events.{}_raw is null')
    + [('missing_required', 'events.eventhub_partition_raw is null', "'partition is missing'")]
    + missing_rules(['sequence_number'], 'events.{}_raw is null')
    + [
        ('bad_type', 'events.position_ms is null', ["'position_ms is not an integer: '", 'events.position_ms_raw']),
        ('bad_type', 'events.bitrate_kbps_raw is not null and events.bitrate_kbps is null',
            ["'bitrate_kbps is not an integer: '", 'events.bitrate_kbps_raw']),
        ('bad_type', 'events.client_ts is null',
            ["'client_ts is not an ISO-8601 timestamp: '", 'events.client_ts_raw']),
        ('bad_type', 'events.enqueued_time is null',
            ["'enqueued_time is not an ISO-8601 timestamp: '", 'events.enqueued_time_raw']),
        ('bad_type', 'events.eventhub_partition is null',
            ["'partition is not an integer: '", 'events.eventhub_partition_raw']),
        ('bad_type', 'events.sequence_number is null',
            ["'sequence_number is not an integer: '", 'events.sequence_number_raw']),
        ('invalid_enum', 'events.is_accepted_event_type = 0',
            ["'event_type is not an accepted value: '", 'events.event_type']),
        ('invalid_enum', 'events.is_accepted_device = 0', ["'device is not an accepted value: '", 'events.device']),
        ('invalid_enum', 'events.is_accepted_cdn = 0', ["'cdn is not an accepted value: '", 'events.cdn']),
        ('invalid_range', 'events.position_ms < 0', ["'position_ms is negative: '", 'events.position_ms_raw']),
        ('invalid_range', 'events.bitrate_kbps <= 0', ["'bitrate_kbps is not positive: '", 'events.bitrate_kbps_raw']),
        ('invalid_range', 'events.eventhub_partition < 0',
            ["'partition is negative: '", 'events.eventhub_partition_raw']),
        ('invalid_range', 'events.sequence_number < 0',
            ["'sequence_number is negative: '", 'events.sequence_number_raw']),
        ('future_timestamp', 'events.client_ts > ' ~ client_ts_limit,
            ["'client_ts '", 'events.client_ts_raw', "' is after enqueued_time '", 'events.enqueued_time_raw']),
        ('orphan_reference', 'known_accounts.account_id is null',
            ["'account_id not in Silver accounts: '", 'events.account_id']),
        ('orphan_reference', 'known_profiles.profile_id is null',
            ["'profile_id not in Silver profiles: '", 'events.profile_id']),
        ('orphan_reference', 'known_titles.title_id is null', ["'title_id not in Silver titles: '", 'events.title_id']),
    ]
-%}

with

events as (
    select
        _bronze_row_id,
        position_ms,
        position_ms_raw,
        bitrate_kbps,
        bitrate_kbps_raw,
        client_ts,
        client_ts_raw,
        enqueued_time,
        enqueued_time_raw,
        partition_number as eventhub_partition,
        partition_number_raw as eventhub_partition_raw,
        sequence_number,
        sequence_number_raw,
        _is_valid_json,
        _raw_payload,
        _source_file,
        _ingest_date,
        _loaded_at,
        nullif(event_id, '') as event_id,
        nullif(session_id, '') as session_id,
        nullif(account_id, '') as account_id,
        nullif(profile_id, '') as profile_id,
        nullif(title_id, '') as title_id,
        nullif(lower(event_type), '') as event_type,
        nullif(lower(device), '') as device,
        nullif(lower(os), '') as os,
        nullif(app_version, '') as app_version,
        nullif(lower(cdn), '') as cdn,
        nullif(upper(country), '') as country,
        -- The contract's accepted values (flick_ops/lake/contract.py); the
        -- accepted_values tests on playback_events hold Silver to the same lists.
        case
            when
                lower(event_type) in (
                    'start', 'play', 'pause', 'seek', 'buffer_start',
                    'buffer_end', 'bitrate_change', 'error', 'stop', 'heartbeat'
                )
                then 1
            else 0
        end as is_accepted_event_type,
        case
            when
                lower(device) in (
                    'smart_tv', 'streaming_stick', 'game_console', 'mobile', 'tablet', 'web', 'set_top_box'
                )
                then 1
            else 0
        end as is_accepted_device,
        case
            when lower(cdn) in ('akamai', 'azure_front_door', 'cloudflare', 'fastly') then 1
            else 0
        end as is_accepted_cdn
    from {{ ref('stg_playback__events') }}
    {%- if window_start %}
        where _ingest_date >= {{ window_start }}
    {%- endif %}
),

known_accounts as (
    select account_id from {{ ref('accounts') }}
),

known_profiles as (
    select profile_id from {{ ref('profiles') }}
),

-- The catalog's title ids, as `titles` holds them (one row each): `titles` also
-- counts social and review matches, and the playback stream need not wait
-- for those feeds to validate.
known_titles as (
    select title_id from {{ ref('int_titles_unioned') }}
),

checked as (
    select
        events.*,
        {{ validation_columns(rules) }}
    from events
    left join known_accounts on events.account_id = known_accounts.account_id
    left join known_profiles on events.profile_id = known_profiles.profile_id
    left join known_titles on events.title_id = known_titles.title_id
),

-- Lines per event id in the dates read. Lines without an id count under
-- NULL, which joins nothing.
batch_event_ids as (
    select
        event_id,
        sum(landed_lines) as landed_lines
    from {{ ref('stg_playback__event_ids') }}
    {%- if window_start %}
        where _ingest_date >= {{ window_start }}
    {%- endif %}
    group by event_id
),

-- Events whose id more than one landed line carries: in the dates read, or
-- in them and in an older date already here.
redelivered_events as (
    select event_id
    from batch_event_ids
    where landed_lines > 1
    {%- if window_start %}
        union
        select event_id
        from {{ this }}
        where
            _ingest_date < {{ window_start }}
            and event_id in (select batch_event_ids.event_id from batch_event_ids)
    {%- endif %}
),

final as (
    select
        checked._bronze_row_id,
        checked.event_id,
        checked.session_id,
        checked.account_id,
        checked.profile_id,
        checked.title_id,
        checked.event_type,
        checked.device,
        checked.os,
        checked.app_version,
        checked.cdn,
        checked.country,
        checked.position_ms,
        checked.bitrate_kbps,
        checked.client_ts,
        checked.enqueued_time,
        checked.eventhub_partition,
        checked.sequence_number,
        cast(
            {{ dbt.datediff('checked.client_ts', 'checked.enqueued_time', 'second') }}
            / 3600.0 as {{ dbt.type_numeric() }}
        ) as lateness_hours,
        case
            when checked.enqueued_time >= {{ dbt.dateadd('hour', var('late_event_hours'), 'checked.client_ts') }}
                then 1
            else 0
        end as is_late,
        checked.rule_reason,
        checked.rule_detail,
        -- A clean row's typed columns hold all of it, and the stream's largest column would
        -- otherwise be stored a second time for every event.
        case
            when checked.rule_reason is not null or redelivered_events.event_id is not null
                then checked._raw_payload
        end as _raw_payload,
        checked._source_file,
        checked._ingest_date,
        checked._loaded_at,
        {{ refresh_stamp() }} as _refreshed_at
    from checked
    left join redelivered_events on checked.event_id = redelivered_events.event_id
)

select * from final
