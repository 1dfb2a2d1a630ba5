{#-
    Every landed playback event once, typed and cleaned, with the first rule it
    breaks (quarantine_reason, NULL when clean). Rules in priority order:
    malformed > missing_required > bad_type > invalid_enum > invalid_range
    > future_timestamp > orphan_reference > duplicate.
    Re-deliveries (same event_id) are ranked among the rows that pass every
    other rule, so the copy kept is always a clean one.
-#}
{#-
    Incremental: a run re-validates the ingest dates from
    incremental_window_start('_ingest_date') on (the newest date already here
    minus var('incremental_lookback_days')) and replaces them whole; older
    dates are never read again. A re-delivery is ranked after the clean
    copies of its event already kept from older dates: those were enqueued
    earlier, since a file's ingest date is the day its events were enqueued.
-#}
{{ config(
    materialized='incremental',
    unique_key='_ingest_date',
    partition_by=['_ingest_date'] if target.type == 'spark' else none
) }}

{%- set client_ts_limit = dbt.dateadd('minute', var('future_tolerance_minutes'), 'events.enqueued_time') -%}
{%- set window_start = incremental_window_start('_ingest_date') if is_incremental() else none -%}

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

-- One CASE names the first broken rule, a twin CASE in the same order says
-- which field broke it and how.
checked as (
    select
        events.*,
        case
            when events._is_valid_json = 0 then 'malformed'
            when
                events.event_id is null
                or events.session_id is null
                or events.account_id is null
                or events.profile_id is null
                or events.title_id is null
                or events.event_type is null
                or events.device is null
                or events.os is null
                or events.app_version is null
                or events.cdn is null
                or events.country is null
                or events.position_ms_raw is null
                or events.client_ts_raw is null
                or events.enqueued_time_raw is null
                or events.eventhub_partition_raw is null
                or events.sequence_number_raw is null
                then 'missing_required'
            when
                events.position_ms is null
                or (events.bitrate_kbps_raw is not null and events.bitrate_kbps is null)
                or events.client_ts is null
                or events.enqueued_time is null
                or events.eventhub_partition is null
                or events.sequence_number is null
                then 'bad_type'
            when
                events.is_accepted_event_type = 0
                or events.is_accepted_device = 0
                or events.is_accepted_cdn = 0
                then 'invalid_enum'
            when
                events.position_ms < 0
                or events.bitrate_kbps <= 0
                or events.eventhub_partition < 0
                or events.sequence_number < 0
                then 'invalid_range'
            when events.client_ts > {{ client_ts_limit }} then 'future_timestamp'
            when
                known_accounts.account_id is null
                or known_profiles.profile_id is null
                or known_titles.title_id is null
                then 'orphan_reference'
        end as rule_reason,
        case
            when events._is_valid_json = 0 then 'line is not a JSON object'
            when events.event_id is null then 'event_id is missing'
            when events.session_id is null then 'session_id is missing'
            when events.account_id is null then 'account_id is missing'
            when events.profile_id is null then 'profile_id is missing'
            when events.title_id is null then 'title_id is missing'
            when events.event_type is null then 'event_type is missing'
            when events.device is null then 'device is missing'
            when events.os is null then 'os is missing'
            when events.app_version is null then 'app_version is missing'
            when events.cdn is null then 'cdn is missing'
            when events.country is null then 'country is missing'
            when events.position_ms_raw is null then 'position_ms is missing'
            when events.client_ts_raw is null then 'client_ts is missing'
            when events.enqueued_time_raw is null then 'enqueued_time is missing'
            when events.eventhub_partition_raw is null then 'partition is missing'
            when events.sequence_number_raw is null then 'sequence_number is missing'
            when events.position_ms is null
                then {{ dbt.concat(["'position_ms is not an integer: '", 'events.position_ms_raw']) }}
            when events.bitrate_kbps_raw is not null and events.bitrate_kbps is null
                then {{ dbt.concat(["'bitrate_kbps is not an integer: '", 'events.bitrate_kbps_raw']) }}
            when events.client_ts is null
                then {{ dbt.concat(["'client_ts is not an ISO-8601 timestamp: '", 'events.client_ts_raw']) }}
            when events.enqueued_time is null
                then {{ dbt.concat(["'enqueued_time is not an ISO-8601 timestamp: '", 'events.enqueued_time_raw']) }}
            when events.eventhub_partition is null
                then {{ dbt.concat(["'partition is not an integer: '", 'events.eventhub_partition_raw']) }}
            when events.sequence_number is null
                then {{ dbt.concat(["'sequence_number is not an integer: '", 'events.sequence_number_raw']) }}
            when events.is_accepted_event_type = 0
                then {{ dbt.concat(["'event_type is not an accepted value: '", 'events.event_type']) }}
            when events.is_accepted_device = 0
                then {{ dbt.concat(["'device is not an accepted value: '", 'events.device']) }}
            when events.is_accepted_cdn = 0
                then {{ dbt.concat(["'cdn is not an accepted value: '", 'events.cdn']) }}
            when events.position_ms < 0
                then {{ dbt.concat(["'position_ms is negative: '", 'events.position_ms_raw']) }}
            when events.bitrate_kbps <= 0
                then {{ dbt.concat(["'bitrate_kbps is not positive: '", 'events.bitrate_kbps_raw']) }}
            when events.eventhub_partition < 0
                then {{ dbt.concat(["'partition is negative: '", 'events.eventhub_partition_raw']) }}
            when events.sequence_number < 0
                then {{ dbt.concat(["'sequence_number is negative: '", 'events.sequence_number_raw']) }}
            when events.client_ts > {{ client_ts_limit }}
                then {{ dbt.concat([
                    "'client_ts '", 'events.client_ts_raw',
                    "' is after enqueued_time '", 'events.enqueued_time_raw'
                ]) }}
            when known_accounts.account_id is null
                then {{ dbt.concat(["'account_id not in Silver accounts: '", 'events.account_id']) }}
            when known_profiles.profile_id is null
                then {{ dbt.concat(["'profile_id not in Silver profiles: '", 'events.profile_id']) }}
            when known_titles.title_id is null
                then {{ dbt.concat(["'title_id not in Silver titles: '", 'events.title_id']) }}
        end as rule_detail
    from events
    left join known_accounts on events.account_id = known_accounts.account_id
    left join known_profiles on events.profile_id = known_profiles.profile_id
    left join known_titles on events.title_id = known_titles.title_id
),

{% if window_start %}

-- Clean copies of this batch's events kept from dates before the window.
    earlier_deliveries as (
        select
            event_id,
            count(*) as clean_copies
        from {{ this }}
        where
            _ingest_date < {{ window_start }}
            and delivery_rank is not null
            and event_id in (
                select checked.event_id from checked
                where checked.rule_reason is null
            )
        group by event_id
    ),

{% endif %}

-- Only rows that pass every other rule compete for an event_id, so a corrupt
-- copy never displaces a clean one; among them the first delivery wins.
ranked as (
    select
        checked.*,
        cast(row_number() over (
            partition by checked.event_id, checked.rule_reason
            order by checked.enqueued_time, checked.eventhub_partition, checked.sequence_number, checked._bronze_row_id
        ){{ ' + coalesce(earlier_deliveries.clean_copies, 0)' if window_start }} as {{ dbt.type_bigint() }})
            as rank_among_equals,
        {{ dbt.datediff('checked.client_ts', 'checked.enqueued_time', 'second') }}
            as lateness_seconds
    from checked
    {%- if window_start %}
    left join earlier_deliveries
        on checked.event_id = earlier_deliveries.event_id and checked.rule_reason is null
    {%- endif %}
),

final as (
    select
        _bronze_row_id,
        event_id,
        session_id,
        account_id,
        profile_id,
        title_id,
        event_type,
        device,
        os,
        app_version,
        cdn,
        country,
        position_ms,
        bitrate_kbps,
        client_ts,
        enqueued_time,
        eventhub_partition,
        sequence_number,
        case when rule_reason is null then rank_among_equals end as delivery_rank,
        cast(lateness_seconds / 3600.0 as {{ dbt.type_numeric() }}) as lateness_hours,
        case
            when enqueued_time >= {{ dbt.dateadd('hour', var('late_event_hours'), 'client_ts') }} then 1 else 0
        end as is_late,
        case
            when rule_reason is not null then rule_reason
            when rank_among_equals > 1 then 'duplicate'
        end as quarantine_reason,
        case
            when rule_reason is not null then rule_detail
            when rank_among_equals > 1
                then {{ dbt.concat([
                    "'re-delivery of event_id '", 'event_id',
                    "' (delivery '", 'cast(rank_among_equals as ' ~ dbt.type_string() ~ ')', "')'"
                ]) }}
        end as quarantine_detail,
        -- Kept for quarantined rows only: a clean row's typed columns hold all of it, and the
        -- stream's largest column would otherwise be stored a second time for every event.
        case when rule_reason is not null or rank_among_equals > 1 then _raw_payload end as _raw_payload,
        _source_file,
        _ingest_date,
        _loaded_at
    from ranked
)

select * from final
