"""The lake generator, checked on real files: determinism, the landing contract, dirty rows, realism, the CLI.

The dirty-row checks re-detect every planted row from the files alone (by the
contract's types, required fields and accepted values) and compare the counts
with the manifest, so a writer that plants a row it does not count, or counts
a row it did not spoil, fails here.
"""

from __future__ import annotations

import calendar
import csv
import json
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from flick_ops.cli import main
from flick_ops.generate.app import PLAN_PRICES, PLANS
from flick_ops.generate.entities import COUNTRIES, build_world
from flick_ops.generate.summary import MANIFEST_NAME
from flick_ops.generate.world import GeneratorConfig
from flick_ops.lake.contract import (
    BOOLEAN,
    DATE,
    DECIMAL,
    INTEGER,
    JSON_ARRAY,
    STRING,
    TIMESTAMP,
    Entity,
    Field,
    entities,
    entity,
)

MY_ENTITIES = [e for e in entities() if e.source != "playback"]
REVIEW_SCALES = {"imdb": (10.0, 1), "rotten_tomatoes": (100.0, 0), "metacritic": (100.0, 0), "letterboxd": (5.0, 2)}


# ---- reading a lake ------------------------------------------------------------------------


def files_of(lake: Path, item: Entity) -> list[Path]:
    return sorted((lake / "bronze" / item.source / item.name).glob("ingest_date=*/part-*"))


def csv_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def manifest(lake: Path) -> dict[tuple[str, str], dict]:
    payload = json.loads((lake / MANIFEST_NAME).read_text(encoding="utf-8"))
    return {(e["source"], e["entity"]): e for e in payload["entities"]}


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def lake_config(lake: Path) -> GeneratorConfig:
    options = json.loads((lake / MANIFEST_NAME).read_text(encoding="utf-8"))["config"]
    return GeneratorConfig(lake_root=lake, **{**options, "start_date": date.fromisoformat(options["start_date"])})


def all_bytes(lake: Path) -> dict[str, bytes]:
    return {str(p.relative_to(lake)): p.read_bytes() for p in sorted(lake.rglob("*")) if p.is_file()}


# ---- re-detecting dirty rows ----------------------------------------------------------------

TIMESTAMP_FORMATS = ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ")


def parses(text: str, formats: tuple[str, ...]) -> bool:
    for fmt in formats:
        try:
            datetime.strptime(text, fmt)
        except ValueError:
            continue
        return True
    return False


def json_type_ok(spec: Field, value: object) -> bool:
    checks: dict[str, Callable[[object], bool]] = {
        STRING: lambda v: isinstance(v, str),
        INTEGER: lambda v: isinstance(v, int) and not isinstance(v, bool),
        DECIMAL: lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        BOOLEAN: lambda v: isinstance(v, bool),
        DATE: lambda v: isinstance(v, str) and parses(v, ("%Y-%m-%d",)),
        TIMESTAMP: lambda v: isinstance(v, str) and parses(v, TIMESTAMP_FORMATS),
        JSON_ARRAY: lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
    }
    return checks[spec.type](value)


def text_type_ok(spec: Field, text: str) -> bool:
    checks: dict[str, Callable[[str], bool]] = {
        STRING: lambda v: True,
        INTEGER: lambda v: re.fullmatch(r"-?\d+", v) is not None,
        DECIMAL: lambda v: re.fullmatch(r"-?\d+(\.\d+)?", v) is not None,
        DATE: lambda v: parses(v, ("%Y-%m-%d",)),
        TIMESTAMP: lambda v: parses(v, TIMESTAMP_FORMATS),
    }
    return checks[spec.type](text)


def reference_ids(lake: Path) -> dict[str, set[str]]:
    """Ids each referenced entity landed, read from raw text so that a broken line still contributes its id."""

    def ids(item: Entity, pattern: str) -> set[str]:
        return {m for path in files_of(lake, item) for m in re.findall(pattern, path.read_text(encoding="utf-8"))}

    catalog = {row["show_id"] for path in files_of(lake, entity("vendor", "catalog")) for row in csv_rows(path)[1]}
    return {
        "account_id": ids(entity("app", "accounts"), r'"account_id":"(A\d{7})"'),
        "profile_id": ids(entity("app", "profiles"), r'"profile_id":"(P\d{8})"'),
        "title_id": catalog | ids(entity("studio", "originals"), r'"original_id":"(FO\d{5})"'),
        "show_id": catalog,
    }


def record_fault(item: Entity, record: dict, known: dict[str, set[str]], is_csv: bool) -> str | None:
    """The dirty kind a parsed row carries, or None for a clean row."""
    if item.name == "catalog" and re.fullmatch(r"\d+ min", record["rating"] or "") and not record["duration"]:
        return "shifted_columns"
    empty = ("",) if is_csv else (None,)
    if any(spec.required and record.get(spec.name, empty[0]) in empty for spec in item.fields):
        return "missing_required"
    present = [spec for spec in item.fields if record.get(spec.name, empty[0]) not in empty]
    type_ok = text_type_ok if is_csv else json_type_ok
    if not all(type_ok(spec, record[spec.name]) for spec in present):
        return "bad_type"
    if any(spec.accepted_values and record[spec.name] not in spec.accepted_values for spec in present):
        return "invalid_enum"
    if any(spec.name in known and record[spec.name] not in known[spec.name] for spec in present):
        return "orphan_reference"
    if item.name == "license_windows" and record["window_end"] < record["window_start"]:
        return "invalid_range"
    if item.name == "scores":
        top, _ = REVIEW_SCALES[record["site"]]
        if not 0 <= float(record["score"]) <= top:
            return "invalid_range"
    return None


def detected_faults(lake: Path, item: Entity, known: dict[str, set[str]]) -> Counter:
    found: Counter = Counter()
    seen: set[str] = set()
    for path in files_of(lake, item):
        for text, record in rows_of(path, item, found):
            if text in seen:
                found["duplicate"] += 1
                continue
            seen.add(text)
            kind = record_fault(item, record, known, is_csv=item.file_format == "csv")
            if kind:
                found[kind] += 1
    return found


def rows_of(path: Path, item: Entity, found: Counter) -> Iterator[tuple[str, dict]]:
    """(identity text, parsed row) per row; malformed lines and schema-drifted files are counted on the way."""
    if item.file_format == "csv":
        header, rows = csv_rows(path)
        if header != item.column_names:
            found["schema_drift"] += len(rows)
        for row in rows:
            yield json.dumps(row, sort_keys=True), row
        return
    for line in lines(path):
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            found["malformed"] += 1
            continue
        yield line, record


# ---- determinism and scale ------------------------------------------------------------------


def test_same_seed_gives_a_byte_identical_lake_and_another_seed_does_not(tmp_lake):
    first, second, other = tmp_lake(seed=11), tmp_lake(seed=11), tmp_lake(seed=12)

    first_bytes, other_bytes = all_bytes(first), all_bytes(other)
    assert first_bytes == all_bytes(second)
    assert len(first_bytes) > 50
    changed = [name for name, content in first_bytes.items() if other_bytes.get(name) != content]
    # Every data file depends on the seed (the manifest differs only in the seed itself).
    assert len(changed) >= len(first_bytes) - 2


def test_rows_and_files_scale_with_the_options(tmp_lake):
    small = manifest(tmp_lake(accounts=200, days=8, events_per_day=300))
    large = manifest(tmp_lake(accounts=400, days=15, events_per_day=600))

    for name in ("accounts", "profiles"):
        ratio = large[("app", name)]["rows"] / small[("app", name)]["rows"]
        assert 1.6 < ratio < 2.6, (name, ratio)
    for key in (("app", "ratings"), ("app", "watchlist_adds"), ("app", "subscription_events")):
        assert large[key]["files"] == 15 and small[key]["files"] == 8
        assert large[key]["rows"] > 2.5 * small[key]["rows"]  # twice the accounts over twice the days
    assert (small[("vendor", "catalog")]["files"], large[("vendor", "catalog")]["files"]) == (2, 3)
    mentions = large[("social", "mentions")]["rows"] / small[("social", "mentions")]["rows"]
    assert 3.0 < mentions < 5.0  # twice the volume per day over about twice the days


def test_manifest_rows_and_files_match_the_files(tmp_lake):
    lake = tmp_lake()
    counts = manifest(lake)
    for item in entities():
        if (item.source, item.name) not in counts:
            continue
        paths = files_of(lake, item)
        if item.file_format == "csv":
            rows = sum(len(csv_rows(path)[1]) for path in paths)
        else:
            rows = sum(len(lines(path)) for path in paths)
        assert (counts[(item.source, item.name)]["files"], counts[(item.source, item.name)]["rows"]) == (
            len(paths),
            rows,
        ), item.name


def test_default_sizes_generate_in_a_few_seconds(tmp_path):
    started = datetime.now()
    result = CliRunner().invoke(main, ["generate", "--lake", str(tmp_path / "lake"), "--quiet"])
    assert result.exit_code == 0, result.output
    assert (datetime.now() - started).total_seconds() < 20


# ---- the landing contract -------------------------------------------------------------------


def test_every_file_sits_at_a_contract_path_with_contract_columns(tmp_lake):
    lake = tmp_lake()
    contract_paths = {item.file_path(lake, day): item for item in entities() for day in lake_config(lake).dates()}
    drifted_batch = files_of(lake, entity("vendor", "catalog"))[1]  # the second catalog batch drops columns
    landed = [path for path in (lake / "bronze").rglob("*") if path.is_file()]

    assert landed and all(path in contract_paths for path in landed), [p for p in landed if p not in contract_paths]
    generated = set(manifest(lake))
    assert {(item.source, item.name) for item in entities() if files_of(lake, item)} == generated
    for path in landed:
        item = contract_paths[path]
        if item.file_format == "csv":
            header, _ = csv_rows(path)
            dropped = ("cast", "description") if path == drifted_batch else ()
            assert header == [c for c in item.column_names if c not in dropped], path
        else:
            for line in lines(path):
                try:
                    keys = set(json.loads(line))
                except json.JSONDecodeError:
                    continue
                assert keys <= set(item.column_names), (path, keys - set(item.column_names))


# ---- dirty rows ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dirty_lake(tmp_lake) -> Path:
    return tmp_lake()


@pytest.mark.parametrize("item", MY_ENTITIES, ids=lambda e: f"{e.source}.{e.name}")
def test_planted_dirty_rows_are_exactly_what_the_manifest_counts(dirty_lake, item):
    detected = detected_faults(dirty_lake, item, reference_ids(dirty_lake))
    assert detected == Counter(manifest(dirty_lake)[(item.source, item.name)]["dirty"])


EXPECTED_KINDS = {
    "accounts": {"malformed", "missing_required", "bad_type", "invalid_enum", "duplicate"},
    "profiles": {"malformed", "missing_required", "bad_type", "orphan_reference", "duplicate"},
    "subscription_events": {
        "malformed",
        "missing_required",
        "bad_type",
        "invalid_enum",
        "orphan_reference",
        "duplicate",
    },
    "ratings": {"malformed", "missing_required", "bad_type", "invalid_enum", "orphan_reference", "duplicate"},
    "watchlist_adds": {"malformed", "missing_required", "bad_type", "orphan_reference", "duplicate"},
    "catalog": {"missing_required", "bad_type", "invalid_enum", "shifted_columns", "schema_drift", "duplicate"},
    "license_windows": {
        "missing_required",
        "bad_type",
        "invalid_enum",
        "orphan_reference",
        "invalid_range",
        "duplicate",
    },
    "mentions": {"malformed", "missing_required", "bad_type", "invalid_enum", "duplicate"},
    "scores": {"missing_required", "bad_type", "invalid_enum", "invalid_range", "duplicate"},
}


def test_every_entity_with_100_rows_carries_each_of_its_dirty_kinds(dirty_lake):
    counts = manifest(dirty_lake)
    for item in MY_ENTITIES:
        stats = counts[(item.source, item.name)]
        if stats["rows"] >= 100:
            assert set(stats["dirty"]) == EXPECTED_KINDS[item.name], item.name
            assert sum(stats["dirty"].values()) < 0.05 * stats["rows"] or item.name == "catalog", item.name


def test_a_clean_lake_has_no_dirty_rows(tmp_lake):
    lake = tmp_lake(dirty_rate=0.0)
    known = reference_ids(lake)
    counts = manifest(lake)
    for item in MY_ENTITIES:
        assert counts[(item.source, item.name)]["dirty"] == {}, item.name
        assert detected_faults(lake, item, known) == Counter(), item.name


# ---- realism ---------------------------------------------------------------------------------


def test_vendor_catalog_reads_like_the_public_catalog(dirty_lake):
    first_file = files_of(dirty_lake, entity("vendor", "catalog"))[0]
    _, rows = csv_rows(first_file)
    clean = [row for row in rows if record_fault(entity("vendor", "catalog"), row, {}, is_csv=True) is None]
    dates = [row["date_added"] for row in clean if row["date_added"]]

    assert len(clean) > 0.9 * len(rows)
    assert all(datetime.strptime(text.strip(), "%B %d, %Y") for text in dates)
    assert any(text.startswith(" ") for text in dates)  # the real feed's leading space
    assert all(re.fullmatch(r"\d+ min|\d+ Seasons?", row["duration"]) for row in clean)
    assert {row["type"] for row in clean} == {"Movie", "TV Show"}
    assert any(row["director"] == "" for row in clean) and any(row["cast"] == "" for row in clean)
    raw = first_file.read_text(encoding="utf-8")
    assert re.search(r',"[^",]+, [^"]+",', raw)  # multi-valued cells are quoted


def test_weekly_catalog_files_add_titles_and_change_ratings_or_synopses(tmp_lake):
    lake = tmp_lake(dirty_rate=0.0)
    files = files_of(lake, entity("vendor", "catalog"))
    first = {row["show_id"]: row for row in csv_rows(files[0])[1]}
    later = [row for path in files[1:] for row in csv_rows(path)[1]]

    added = [row for row in later if row["show_id"] not in first]
    changed = [row for row in later if row["show_id"] in first]
    assert added and changed
    for row in changed:
        before = first[row["show_id"]]
        differs = {name for name in row if row[name] != before[name]}
        assert differs in ({"rating"}, {"description"}), (row["show_id"], differs)


def test_subscription_billing_is_consistent(tmp_lake):
    lake = tmp_lake(dirty_rate=0.0, start_date=date(2027, 2, 20))  # across the end of a short month
    events = [json.loads(line) for path in files_of(lake, entity("app", "subscription_events")) for line in lines(path)]
    # Files are in date order and lines in time order, so the last version of each account wins.
    accounts = {
        a["account_id"]: a for path in files_of(lake, entity("app", "accounts")) for a in map(json.loads, lines(path))
    }
    currency_of = {country.code: country.currency for country in COUNTRIES}

    assert PLAN_PRICES["USD"] == (7.99, 13.99, 19.99)
    payments = [e for e in events if e["event_type"] == "payment"]
    assert payments
    for event in payments:
        assert event["amount"] == PLAN_PRICES[event["currency"]][PLANS.index(event["plan_id"])]
        assert event["currency"] == currency_of[accounts[event["account_id"]]["country"]]
        signup = datetime.fromisoformat(accounts[event["account_id"]]["signup_at"])
        paid = datetime.fromisoformat(event["event_ts"])
        month_end = calendar.monthrange(paid.year, paid.month)[1]
        assert paid.day == signup.day or (signup.day > month_end == paid.day), event
    assert any(datetime.fromisoformat(accounts[e["account_id"]]["signup_at"]).day > 28 for e in payments)
    cancelled = {e["account_id"] for e in events if e["event_type"] == "cancel"}
    closed = {a["account_id"] for a in accounts.values() if a["status"] == "closed"}
    assert cancelled and cancelled == closed
    for event in events:
        if event["event_type"] != "payment":
            assert event["amount"] is None and event["currency"] is None


def test_world_is_heavy_tailed_and_runtimes_are_plausible(tmp_path):
    world = build_world(GeneratorConfig(lake_root=tmp_path))
    titles, accounts = world.titles, world.accounts
    popularity = np.sort(titles.popularity)[::-1]
    activity = np.sort(accounts.activity)[::-1]

    assert popularity[: len(popularity) // 20].sum() > 0.4  # top 5% of titles draw over 40% of interest
    assert activity[: len(activity) // 10].sum() > 0.3  # top 10% of households do over 30% of viewing
    movies = titles.runtime_min[~titles.is_series]
    episodes = titles.runtime_min[titles.is_series]
    assert movies.min() >= 90 and movies.max() <= 130
    assert episodes.min() >= 25 and episodes.max() <= 60
    assert titles.title_id[0] == "s1" and titles.title_id[titles.is_original][0] == "FO00001"
    assert len(set(titles.name)) == len(titles.name)
    assert (accounts.signup_day < 0).any() and (accounts.signup_day >= 0).any()
    profiles_per_account = np.bincount(world.profiles.account_index)
    assert profiles_per_account.min() >= 1 and profiles_per_account.max() <= 5
    assert world.profiles.is_kids.any()


def test_social_mentions_name_titles_in_free_text(dirty_lake):
    texts = [
        record["title_text"]
        for path in files_of(dirty_lake, entity("social", "mentions"))
        for line in lines(path)
        if (record := _loads(line)) and isinstance(record.get("title_text"), str)
    ]
    catalog = {
        row["title"].lower() for path in files_of(dirty_lake, entity("vendor", "catalog")) for row in csv_rows(path)[1]
    }
    originals = set(
        re.findall(
            r'"title":"([^"]+)"', "".join(p.read_text() for p in files_of(dirty_lake, entity("studio", "originals")))
        )
    )
    known = catalog | {name.lower() for name in originals}

    assert any(re.search(r" \(\d{4}\)$", text) for text in texts)
    assert any(text.islower() for text in texts) and any(text.isupper() for text in texts)
    assert any("  " in text for text in texts) and any(text.startswith("#") for text in texts)
    unmatched = [text for text in texts if re.sub(r" \(\d{4}\)$", "", " ".join(text.split())).lower() not in known]
    assert 0.05 < len(unmatched) / len(texts) < 0.4  # off-catalog titles plus punctuation and hashtag forms


def test_review_scores_are_on_each_sites_scale(dirty_lake):
    item = entity("reviews", "scores")
    rows = [row for path in files_of(dirty_lake, item) for row in csv_rows(path)[1]]
    clean = [row for row in rows if record_fault(item, row, {}, is_csv=True) is None]
    for site, (top, decimals) in REVIEW_SCALES.items():
        scores = [row["score"] for row in clean if row["site"] == site]
        assert scores, site
        assert all(0 <= float(score) <= top for score in scores)
        assert all(len(score.partition(".")[2]) <= decimals for score in scores), site
    assert any(row["title"].endswith(", The") for row in clean if row["site"] == "metacritic")


def _loads(line: str) -> dict | None:
    try:
        return json.loads(line)
    except json.JSONDecodeError:
        return None


# ---- the command line ------------------------------------------------------------------------


def test_generate_help_lists_every_option():
    flick_ops = Path(sys.executable).parent / "flick-ops"
    result = subprocess.run([flick_ops, "generate", "--help"], capture_output=True, text=True, check=True)
    for option in (
        "--lake",
        "--seed",
        "--accounts",
        "--days",
        "--events-per-day",
        "--start-date",
        "--dirty-rate",
        "--quiet",
    ):
        assert option in result.stdout


@pytest.mark.parametrize(
    "args",
    [["--days", "0"], ["--dirty-rate", "2"], ["--seed", "-1"], ["--start-date", "2026-13-01"], ["--accounts", "x"]],
)
def test_a_bad_option_value_is_a_one_line_usage_error(tmp_path, args):
    result = CliRunner().invoke(main, ["generate", "--lake", str(tmp_path / "lake"), *args], prog_name="flick-ops")
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("flick-ops generate: error:")
    assert not (tmp_path / "lake").exists()


def test_generate_replaces_bronze_and_prints_the_summary(tmp_path):
    lake = tmp_path / "lake"
    stale = lake / "bronze" / "app" / "accounts" / "ingest_date=2001-01-01" / "part-00000.jsonl"
    stale.parent.mkdir(parents=True)
    stale.write_text("{}\n")
    keep = lake / "silver" / "keep.txt"
    keep.parent.mkdir(parents=True)
    keep.write_text("not bronze")

    result = CliRunner().invoke(
        main, ["generate", "--lake", str(lake), "--accounts", "50", "--days", "2", "--events-per-day", "100", "--quiet"]
    )
    assert result.exit_code == 0, result.output
    assert not stale.exists() and keep.exists()
    assert (lake / MANIFEST_NAME).exists()
    for item in MY_ENTITIES:
        assert f"{item.source}.{item.name}" in result.stdout
