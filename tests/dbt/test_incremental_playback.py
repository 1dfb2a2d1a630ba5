"""Incremental models give the same Silver and Gold as a full refresh (DuckDB).

The lake first holds only its early ingest days; the later days then land one
at a time in the same folders, as they would in ADLS, each followed by an
incremental run. Besides the generator's own late events and re-deliveries,
the later days carry a crafted session older than the lookback window:

* day 2 (early): a session plays from 23:40 to 23:50;
* day 5 delivers a late heartbeat at 00:35 the next day: 45 minutes of silence
  make it a second piece of the session, dated day 3;
* day 7 delivers a late heartbeat at 00:12, which bridges the two (22 and 23
  minutes): one piece again, dated day 2, so day 3 must lose a session; day 7
  also re-delivers the day-2 heartbeat, long out of the re-read window, which
  must still be ranked a duplicate of the copy kept on day 2.

Day 7 also re-delivers a clean day-2 social mention, review score and
watchlist addition, each of which must be ranked a duplicate although day 2
is no longer re-read. A later day brings a studio original named like a day-1
mention that matched no title: the stored mention must be matched again.

After day 7, a capture file lands late in day 2's folders (a new playback
session, a new social mention and a new watchlist addition): the next run
must read day 2 again, whatever the lookback, and a run with nothing new must
change nothing.

After the last run every Gold table (and Silver's playback, social, review, title-match and
watchlist tables) must equal a `--full-refresh` build of the whole lake, row for row, apart from
`_refreshed_at`.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb

from flick_ops.dbt.runner import DbtOutcome, DbtWorkspace, run_dbt
from flick_ops.lake.partitions import hold_back, land

EARLY_DAYS = 4
# Models and seeds in one invocation per step; tests run elsewhere.
BUILD = ["build", "--exclude", "resource_type:test", "resource_type:unit_test"]
LINEAGE_ONLY = {"_refreshed_at"}
INCREMENTAL_MODELS = (
    "int_playback_events_checked",
    "playback_events",
    "playback_sessions",
    "fct_playback_sessions",
    "mart_daily_engagement",
    "mart_qoe_daily",
    "int_playback_event_deliveries",
    "quarantine_playback",
    "int_title_matches",
    "social_mentions",
    "review_scores",
)


@dataclass(frozen=True)
class BridgedSession:
    session_id: str
    first_day: date
    redelivered_event_id: str


def _ingest_days(lake: Path) -> list[str]:
    return sorted({p.name.removeprefix("ingest_date=") for p in lake.glob("bronze/playback/events/ingest_date=*")})


def _first_json_line(folder: Path, condition: str = "true") -> dict:
    """The first landed JSON line of a partition folder that meets a SQL condition on `line`, parsed."""
    with duckdb.connect() as connection:
        rows = connection.sql(
            f"""
            select line from read_csv('{folder}/*.jsonl',
                columns={{'line': 'VARCHAR'}}, header=false, delim=chr(31), quote='', escape='')
            where json_valid(line) and ({condition})
            limit 1
            """
        ).fetchall()
    return json.loads(rows[0][0])


def _clean_template(lake: Path, day: str) -> dict:
    """A whole, well-formed playback event of `day` whose account, profile and title Silver knows."""
    folder = lake / f"bronze/playback/events/ingest_date={day}"
    return _first_json_line(folder, "json_extract_string(line, '$.event_type') = 'heartbeat'")


def _append_events(partition: Path, events: list[dict]) -> None:
    part = sorted(partition.glob("*.jsonl"))[0]
    with open(part, "a", encoding="utf-8", newline="\n") as handle:
        handle.writelines(json.dumps(event, separators=(",", ":")) + "\n" for event in events)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _event(template: dict, session_id: str, client: datetime, enqueued: datetime, event_type: str) -> dict:
    return {
        **template,
        "event_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{session_id}/{client.isoformat()}")),
        "session_id": session_id,
        "event_type": event_type,
        "client_ts": _stamp(client),
        "enqueued_time": _stamp(enqueued),
        "position_ms": int((client.minute % 30) * 60_000),
        "sequence_number": 900_000_000 + client.hour * 60 + client.minute,
    }


def _plant_bridged_session(lake: Path, holding: Path, days: list[str]) -> BridgedSession:
    """The crafted session described in the module docstring, written into day 2 and the held-back days 5 and 7."""
    template = _clean_template(lake, days[0])
    session_id = str(uuid.uuid5(uuid.NAMESPACE_URL, "flick-test/bridged-session"))
    day_2 = datetime.combine(date.fromisoformat(days[1]), datetime.min.time())
    day_3 = day_2 + timedelta(days=1)
    on_time = [
        _event(template, session_id, day_2 + timedelta(hours=23, minutes=minute), moment, kind)
        for minute, kind, moment in (
            (40, "start", day_2 + timedelta(hours=23, minutes=40, seconds=1)),
            (41, "play", day_2 + timedelta(hours=23, minutes=41, seconds=1)),
            (50, "heartbeat", day_2 + timedelta(hours=23, minutes=50, seconds=1)),
        )
    ]
    _append_events(lake / f"bronze/playback/events/ingest_date={days[1]}", on_time)
    day_5 = datetime.combine(date.fromisoformat(days[4]), datetime.min.time())
    day_7 = datetime.combine(date.fromisoformat(days[6]), datetime.min.time())
    second_piece = _event(template, session_id, day_3 + timedelta(minutes=35), day_5 + timedelta(hours=10), "heartbeat")
    bridge = _event(template, session_id, day_3 + timedelta(minutes=12), day_7 + timedelta(hours=10), "heartbeat")
    redelivered = {**on_time[-1], "enqueued_time": _stamp(day_7 + timedelta(hours=11))}
    _append_events(holding / f"bronze/playback/events/ingest_date={days[4]}", [second_piece])
    _append_events(holding / f"bronze/playback/events/ingest_date={days[6]}", [bridge, redelivered])
    return BridgedSession(session_id, day_2.date(), redelivered["event_id"])


@dataclass(frozen=True)
class LateCapture:
    session_id: str
    mention_id: str
    watchlist_event_id: str


def _land_late_capture_files(lake: Path, day: str) -> LateCapture:
    """A second file in `day`'s playback, social and watchlist folders, after runs have seen the day."""
    template = _clean_template(lake, day)
    session_id = str(uuid.uuid5(uuid.NAMESPACE_URL, "flick-test/late-capture-file"))
    start = datetime.combine(date.fromisoformat(day), datetime.min.time()) + timedelta(hours=21)
    events = [
        _event(
            template, session_id, start + timedelta(minutes=minute), start + timedelta(minutes=minute, seconds=2), kind
        )
        for minute, kind in ((0, "start"), (1, "play"), (10, "heartbeat"))
    ]
    playback = lake / f"bronze/playback/events/ingest_date={day}"
    (playback / "part-00001.jsonl").write_text(
        "".join(json.dumps(event, separators=(",", ":")) + "\n" for event in events), encoding="utf-8"
    )
    social = lake / f"bronze/social/mentions/ingest_date={day}"
    mention = {**_first_json_line(social), "mention_id": "late-capture-file-mention"}
    (social / "part-00001.jsonl").write_text(json.dumps(mention) + "\n", encoding="utf-8")
    watchlist = lake / f"bronze/app/watchlist_adds/ingest_date={day}"
    addition = {**_first_json_line(watchlist), "event_id": str(uuid.uuid5(uuid.NAMESPACE_URL, "flick-test/late-add"))}
    (watchlist / "part-00001.jsonl").write_text(json.dumps(addition) + "\n", encoding="utf-8")
    return LateCapture(session_id, mention["mention_id"], addition["event_id"])


def _plant_title_for_unmatched_mention(database: Path, lake: Path, holding: Path, day: str) -> tuple[str, Path]:
    """A studio original landing on held-back `day`, named like a stored mention that matched no title; returns
    that mention's id and the partition to land."""
    with duckdb.connect(str(database), read_only=True) as connection:
        mention_id, title_text, release_year = connection.sql(
            "select mentions.mention_id, mentions.title_text, mentions.release_year"
            " from silver.social_mentions as mentions"
            " where mentions.match_status = 'no_match' and mentions.release_year is not null"
            " and mentions.title_text not like '#%' order by mentions.mention_id limit 1"
        ).fetchall()[0]
    partition = lake / f"bronze/studio/originals/ingest_date={day}"
    template = _first_json_line(sorted(lake.glob("bronze/studio/originals/ingest_date=*"))[0])
    original = {**template, "original_id": "FO99901", "title": title_text, "release_date": f"{release_year}-06-01"}
    folder = holding / partition.relative_to(lake)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "part-00001.jsonl", "w", encoding="utf-8", newline="\n") as handle:
        handle.write(json.dumps(original, separators=(",", ":")) + "\n")
    return mention_id, partition


def _match_status(database: Path, mention_id: str) -> str:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(
            "select match_status from silver.int_title_matches where title_match_id = ?", [f"social:{mention_id}"]
        ).fetchall()[0][0]


def _pieces(database: Path, session_id: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(
            "select playback_session_key, session_date, event_count from gold.fct_playback_sessions"
            " where session_id = ? order by playback_session_key",
            [session_id],
        ).fetchall()


@dataclass(frozen=True)
class DedupedFeed:
    """A feed whose validated model ranks copies of a key by landing, and where its lines land."""

    model: str
    key: str  # SQL naming one copy's key in the validated model
    folder: str  # under bronze/
    is_csv: bool  # the payload is then a JSON object by column
    schema: str = "silver"


SOCIAL = DedupedFeed("int_social_mentions_validated", "mention_id", "social/mentions", is_csv=False)
REVIEWS = DedupedFeed("int_review_scores_validated", "review_score_id", "reviews/scores", is_csv=True)
WATCHLIST = DedupedFeed(
    "int_watchlist_adds_validated", "event_id", "app/watchlist_adds", is_csv=False, schema="silver_private"
)
DEDUPED_FEEDS = (SOCIAL, REVIEWS, WATCHLIST)


def _redeliver_clean_row(database: Path, feed: DedupedFeed, day: str, holding: Path, redelivery_day: str) -> str:
    """Append the landed line of a clean row of `day` to the held file of `redelivery_day`; returns its key."""
    with duckdb.connect(str(database), read_only=True) as connection:
        key, line = connection.execute(
            f"select {feed.key}, _raw_payload from {feed.schema}.{feed.model}"
            f" where quarantine_reason is null and _ingest_date = ? order by {feed.key} limit 1",
            [day],
        ).fetchall()[0]
    if feed.is_csv:
        landed = io.StringIO()
        csv.writer(landed, lineterminator="\n").writerow(json.loads(line).values())
        line = landed.getvalue().removesuffix("\n")
    part = sorted((holding / "bronze" / feed.folder / f"ingest_date={redelivery_day}").glob("*"))[0]
    with open(part, "a", encoding="utf-8", newline="\n") as handle:
        handle.write(line + "\n")
    return key


def _copies(database: Path, feed: DedupedFeed, key: str) -> list[str | None]:
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.execute(
            f"select quarantine_reason from {feed.schema}.{feed.model} where {feed.key} = ? order by _ingest_date",
            [key],
        ).fetchall()
    return [row[0] for row in rows]


def _quarantine_reason(database: Path, event_id: str) -> list[str]:
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.execute(
            "select quarantine_reason from silver.int_playback_events_validated where event_id = ?"
            " order by enqueued_time",
            [event_id],
        ).fetchall()
    return [row[0] for row in rows]


def _compared_tables(database: Path) -> list[str]:
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.sql(
            "select table_schema || '.' || table_name from information_schema.tables"
            " where (table_type = 'BASE TABLE' and (table_schema = 'gold' or table_name in"
            " ('int_playback_event_deliveries', 'playback_events', 'playback_sessions',"
            " 'int_social_mentions_validated', 'social_mentions', 'quarantine_social',"
            " 'int_review_scores_validated', 'review_scores', 'quarantine_reviews', 'quarantine_playback',"
            " 'int_title_matches', 'title_match_summary', 'titles', 'int_watchlist_adds_validated',"
            " 'watchlist_adds')))"
            # The view, not the checked events under it: a first copy whose re-delivery
            # lands in a later run keeps no landed line there (its date was done).
            " or table_name = 'int_playback_events_validated'"
        ).fetchall()
    return sorted(row[0] for row in rows)


def _differences(incremental: Path, full_refresh: Path, table: str) -> tuple[int, int, int]:
    """Rows only in the incremental table, rows only in the full refresh (multisets), and rows compared."""
    with duckdb.connect() as connection:
        connection.execute(f"attach '{incremental}' as incremental (read_only)")
        connection.execute(f"attach '{full_refresh}' as full_refresh (read_only)")
        columns = [
            row[0]
            for row in connection.execute(
                "select column_name from information_schema.columns"
                " where table_catalog = 'full_refresh' and table_schema || '.' || table_name = ?"
                " order by ordinal_position",
                [table],
            ).fetchall()
            if row[0] not in LINEAGE_ONLY
        ]
        listed = ", ".join(f'"{column}"' for column in columns)

        def only_in(left: str, right: str) -> int:
            return connection.sql(
                f"select count(*) from (select {listed} from {left}.{table} except all"
                f" select {listed} from {right}.{table})"
            ).fetchall()[0][0]

        compared = connection.sql(f"select count(*) from full_refresh.{table}").fetchall()[0][0]
        return only_in("incremental", "full_refresh"), only_in("full_refresh", "incremental"), compared


def _newest_stamp(database: Path) -> datetime:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.sql("select max(_refreshed_at) from silver.int_playback_events_checked").fetchall()[0][0]


def _assert_incremental_path(outcome: DbtOutcome) -> None:
    """Each playback model ran its incremental branch: its compiled SQL reads only what changed."""
    compiled = {
        result["unique_id"].rsplit(".", 1)[-1]: result.get("compiled_code") or ""
        for result in (outcome.run_results or {}).get("results", [])
    }
    for model in ("int_playback_events_checked", *(feed.model for feed in DEDUPED_FEEDS)):
        assert "_ingest_date >= cast('" in compiled[model], f"{model} took the full-refresh path"
    for model in INCREMENTAL_MODELS[2:]:
        assert "_refreshed_at >" in compiled[model], f"{model} took the full-refresh path"


def test_incremental_runs_with_late_events_equal_a_full_refresh_on_gold(tmp_lake, tmp_path: Path) -> None:
    lake = tmp_lake(accounts=150, days=7, events_per_day=600, dirty_rate=0.03, seed=11)
    days = _ingest_days(lake)
    holding = tmp_path / "held"
    held = {
        day: hold_back(lake, holding, lambda ingest_date, day=day: ingest_date.isoformat() == day)
        for day in days[EARLY_DAYS:]
    }
    bridged = _plant_bridged_session(lake, holding, days)

    incremental = DbtWorkspace.in_folder(tmp_path / "incremental", lake_root=lake)
    first_build = run_dbt(BUILD, incremental)
    assert first_build.succeeded, first_build.output[-3000:]
    assert _pieces(incremental.duckdb_path, bridged.session_id) == [(f"{bridged.session_id}-1", bridged.first_day, 3)]
    rematched_mention, originals = _plant_title_for_unmatched_mention(incremental.duckdb_path, lake, holding, days[5])
    held[days[5]] = sorted({*held[days[5]], originals})
    redelivered = {
        feed: _redeliver_clean_row(incremental.duckdb_path, feed, days[1], holding, days[6]) for feed in DEDUPED_FEEDS
    }

    for day, partitions in held.items():
        land(holding, lake, partitions)
        caught_up = run_dbt(BUILD, incremental)
        assert caught_up.succeeded, caught_up.output[-3000:]
        _assert_incremental_path(caught_up)
        if day == days[4]:
            # The late heartbeat, 45 minutes after the last event, opened a second piece on the next day.
            pieces = _pieces(incremental.duckdb_path, bridged.session_id)
            assert [(key[-2:], session_date) for key, session_date, _ in pieces] == [
                ("-1", bridged.first_day),
                ("-2", bridged.first_day + timedelta(days=1)),
            ]

    late = _land_late_capture_files(lake, days[1])
    caught_up = run_dbt(BUILD, incremental)
    assert caught_up.succeeded, caught_up.output[-3000:]
    _assert_incremental_path(caught_up)
    assert [key for key, _, _ in _pieces(incremental.duckdb_path, late.session_id)] == [f"{late.session_id}-1"]
    assert _copies(incremental.duckdb_path, SOCIAL, late.mention_id) == [None]
    assert _copies(incremental.duckdb_path, WATCHLIST, late.watchlist_event_id) == [None]
    stamped = _newest_stamp(incremental.duckdb_path)
    idle = run_dbt(BUILD, incremental)
    assert idle.succeeded, idle.output[-3000:]
    assert _newest_stamp(incremental.duckdb_path) == stamped, "a run with nothing new re-wrote checked events"

    # The bridge merged the pieces back into one, on the first day; the re-delivery stayed a duplicate.
    assert _pieces(incremental.duckdb_path, bridged.session_id) == [(f"{bridged.session_id}-1", bridged.first_day, 5)]
    assert _quarantine_reason(incremental.duckdb_path, bridged.redelivered_event_id) == [None, "duplicate"]
    assert _match_status(incremental.duckdb_path, rematched_mention) != "no_match"
    for feed, key in redelivered.items():
        assert _copies(incremental.duckdb_path, feed, key) == [None, "duplicate"], feed.model

    rebuilt = DbtWorkspace.in_folder(tmp_path / "full_refresh", lake_root=lake)
    full_refresh = run_dbt([*BUILD, "--full-refresh"], rebuilt)
    assert full_refresh.succeeded, full_refresh.output[-3000:]

    tables = _compared_tables(rebuilt.duckdb_path)
    assert _compared_tables(incremental.duckdb_path) == tables
    assert {"gold.fct_playback_sessions", "gold.mart_daily_engagement", "gold.mart_qoe_daily"} <= set(tables)
    differences = {table: _differences(incremental.duckdb_path, rebuilt.duckdb_path, table) for table in tables}
    assert differences["silver.playback_events"][2] > 2000
    assert differences["gold.fct_playback_sessions"][2] > 50
    assert differences["silver.int_social_mentions_validated"][2] > 300
    assert differences["silver.int_review_scores_validated"][2] > 30
    assert differences["silver.int_title_matches"][2] > 300
    assert differences["silver_private.int_watchlist_adds_validated"][2] > 100
    assert differences["silver.quarantine_playback"][2] > 50
    assert differences["gold.mart_continue_watching"][2] > 20
    assert {table: diff[:2] for table, diff in differences.items() if diff[:2] != (0, 0)} == {}
