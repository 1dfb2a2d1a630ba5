"""Property-based tests: random valid files for the catalog and playback feeds arrive in Bronze unchanged.

Hypothesis writes CSV and JSON-lines files with random unicode, quotes,
commas, line breaks, empty cells, header orders, line ends, byte-order marks
and gzip. Each file goes through the intake, and is then read exactly as the
Bronze source reads it (the `external_location` of the source YAML, run by
DuckDB). Every field must come out as it went in (an empty CSV cell as NULL),
or its row must carry the reason it goes to quarantine.
"""

from __future__ import annotations

import gzip
import json
import re
import tempfile
from pathlib import Path

import duckdb
import yaml
from file_zoo import CATALOG_COLUMNS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flick_ops.lake.intake import read_manifest, run_intake

PROJECT_ROOT = Path(__file__).resolve().parents[2]
EVENT_KEYS = ["event_id", "session_id", "account_id", "device", "cdn", "country", "client_ts"]
PROPERTY_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Any character a text field may hold, line breaks, quotes and commas included; no lone surrogates
# (not encodable) and no other control characters (those rows are flagged, tested separately).
field_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00") | st.sampled_from(list(',"\r\n \t;')),
    max_size=40,
)
plain_text = field_text.filter(lambda text: not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", text))


def bronze_read_sql(source: str, table: str, lake_root: Path) -> str:
    """The read the Bronze source does: its external_location, rendered for this lake."""
    [path] = PROJECT_ROOT.glob(f"models/bronze/{source}/_{source}__sources.yml")
    [spec] = yaml.safe_load(path.read_text(encoding="utf-8"))["sources"]
    location = spec["config"]["meta"]["external_location"]
    location = re.sub(r"\{\{.*?\}\}", str(lake_root), location).replace("${name}", table)
    return location


def _take_in(lake: Path, relative: str, content: bytes) -> None:
    path = lake / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    run_intake(lake)


def _rfc4180_field(value: str, quote_all: bool) -> str:
    """A field as RFC 4180 writes it: quoted when it holds a comma, a quote, CR or LF (or always)."""
    if quote_all or any(ch in value for ch in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


@st.composite
def catalog_files(draw: st.DrawFn) -> tuple[list[str], list[dict[str, str]], bytes, str]:
    columns = draw(st.permutations(CATALOG_COLUMNS))
    rows = draw(
        st.lists(
            st.fixed_dictionaries(
                {column: plain_text for column in CATALOG_COLUMNS if column != "date_added"}
                | {"show_id": st.from_regex(r"s[0-9]{1,6}", fullmatch=True)}
                | {"date_added": st.sampled_from(["", "September 25, 2021"])}
            ),
            max_size=8,
        )
    )
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    quote_all = draw(st.booleans())
    records = [columns, *([row[column] for column in columns] for row in rows)]
    text = "".join(",".join(_rfc4180_field(value, quote_all) for value in record) + newline for record in records)
    if draw(st.booleans()):
        text = text.removesuffix(newline)
    data = (("\ufeff" if draw(st.booleans()) else "") + text + draw(st.sampled_from(["", newline * 2]))).encode()
    name = "part-00001.csv"
    if draw(st.booleans()):
        data, name = gzip.compress(data, mtime=0), name + ".gz"
    return columns, rows, data, name


@PROPERTY_SETTINGS
@given(catalog_files())
def test_a_valid_catalog_csv_arrives_in_bronze_field_for_field(file: tuple) -> None:
    _columns, rows, data, name = file
    with tempfile.TemporaryDirectory() as folder:
        lake = Path(folder)
        _take_in(lake, f"bronze/vendor/catalog/ingest_date=2026-10-01/{name}", data)
        [landed] = read_manifest(lake)
        assert (landed.status, landed.records) == ("read", len(rows)), landed
        read = bronze_read_sql("vendor", "catalog", lake)
        selected = ", ".join(f'"{column}"' for column in CATALOG_COLUMNS)
        with duckdb.connect() as con:
            got = con.execute(f"select {selected}, _raw_payload from {read}").fetchall()
        assert len(got) == len(rows)
        for row, values in zip(rows, got, strict=True):
            *fields, payload = values
            expected = [
                (row[c] or None) if c != "date_added" else ("2021-09-25" if row[c] else None) for c in CATALOG_COLUMNS
            ]
            assert fields == expected
            assert json.loads(payload) == {c: (row[c] or None) for c in CATALOG_COLUMNS}


@st.composite
def playback_files(draw: st.DrawFn) -> tuple[list[dict[str, str]], bytes, int]:
    events = draw(st.lists(st.fixed_dictionaries({key: field_text for key in EVENT_KEYS}), min_size=1, max_size=8))
    ascii_only = draw(st.booleans())
    lines = [json.dumps(event, ensure_ascii=ascii_only) for event in events]
    blank = draw(st.integers(min_value=0, max_value=3))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = ("\ufeff" if draw(st.booleans()) else "") + newline.join(lines + [""] * blank) + newline
    return events, text.encode(), blank


@PROPERTY_SETTINGS
@given(playback_files())
def test_valid_json_lines_arrive_in_bronze_value_for_value(file: tuple) -> None:
    events, data, _blank = file
    with tempfile.TemporaryDirectory() as folder:
        lake = Path(folder)
        _take_in(lake, "bronze/playback/events/ingest_date=2026-10-01/part-00001.jsonl", data)
        [landed] = read_manifest(lake)
        assert (landed.status, landed.records, landed.flagged_records) == ("read", len(events), 0), landed
        read = bronze_read_sql("playback", "events", lake)
        with duckdb.connect() as con:
            got = [json.loads(value) for (value,) in con.execute(f"select value from {read}").fetchall()]
        assert got == events


@PROPERTY_SETTINGS
@given(st.lists(field_text, min_size=1, max_size=5), st.integers(min_value=0, max_value=31))
def test_a_control_character_in_a_csv_field_flags_the_row_and_keeps_its_text(titles: list[str], code: int) -> None:
    """Control characters (NUL, 0x1F, ...) are not text any reader carries; the row is flagged, never lost."""
    broken = f"bad{chr(code)}title"
    rows = [[f"s{n}", "Movie", title, "2019", "90 min", "Dramas"] for n, title in enumerate([broken, *titles])]
    header = ["show_id", "type", "title", "release_year", "duration", "listed_in"]
    text = "".join(",".join(_rfc4180_field(value, False) for value in record) + "\n" for record in [header, *rows])
    with tempfile.TemporaryDirectory() as folder:
        lake = Path(folder)
        _take_in(lake, "bronze/vendor/catalog/ingest_date=2026-10-01/part-00001.csv", text.encode())
        read = bronze_read_sql("vendor", "catalog", lake)
        with duckdb.connect() as con:
            got = con.execute(f"select show_id, _intake_issue, _raw_payload from {read} order by show_id").fetchall()
    assert len(got) == len(rows)
    by_id = {show_id: (issue, payload) for show_id, issue, payload in got}
    issue, payload = by_id["s0"]
    if code in (9, 10, 13):  # tab and line breaks are text
        assert issue is None
    else:
        assert issue == "title holds control characters"
        assert json.loads(payload)["title"] == f"bad\\x{code:02x}title"
