"""Property-based: the playback Bronze view parses each landed line once, and gives every field
exactly as a parse of that one key would (`json_field`: DuckDB's json_extract_string of the key).

Hypothesis writes JSON lines the way feeds get them wrong: numbers where text is expected
(`"position_ms": 12` and `"12"` must give the same text), nested objects and arrays, JSON null,
booleans, duplicate keys, keys in another case, escapes and non-ASCII text, whitespace around the
object, arrays and scalars instead of objects, and lines cut off mid-object. Each file goes through
the intake and is read through the view dbt built (`bronze.stg_playback__events`), which reads the
intake zone when queried; the view is built once for the module.
"""

from __future__ import annotations

import json
import shutil
from itertools import count
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flick_ops.dbt.runner import DbtWorkspace, run_dbt
from flick_ops.lake.intake import run_intake

# Landed key -> the view's column holding its text (trimmed text for the text fields, the landed text
# beside the typed ones).
TEXT_FIELDS = {
    key: key
    for key in (
        "event_id",
        "session_id",
        "account_id",
        "profile_id",
        "title_id",
        "event_type",
        "device",
        "os",
        "app_version",
        "cdn",
        "country",
    )
}
RAW_FIELDS = {
    "position_ms": "position_ms_raw",
    "bitrate_kbps": "bitrate_kbps_raw",
    "client_ts": "client_ts_raw",
    "enqueued_time": "enqueued_time_raw",
    "partition": "partition_number_raw",
    "sequence_number": "sequence_number_raw",
}
KEYS = [*TEXT_FIELDS, *RAW_FIELDS]
FOLDER = "bronze/playback/events/ingest_date=2026-10-01"
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
scalars = st.none() | st.booleans() | st.integers(-(10**20), 10**20) | st.floats(allow_nan=False) | text
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3))
keys = st.sampled_from(KEYS) | st.sampled_from([key.upper() for key in KEYS]) | text
spacing = st.sampled_from(["", " ", "\t", "  "])


@st.composite
def object_lines(draw: st.DrawFn) -> str:
    """An object written member by member, so that a key may come twice."""
    members = draw(st.lists(st.tuples(keys, values), max_size=8))
    ascii_only = draw(st.booleans())
    space = draw(spacing)
    body = f",{space}".join(
        f"{json.dumps(key, ensure_ascii=ascii_only)}:{space}{json.dumps(value, ensure_ascii=ascii_only)}"
        for key, value in members
    )
    return draw(spacing) + "{" + body + "}" + draw(spacing)


@st.composite
def cut_lines(draw: st.DrawFn) -> str:
    line = draw(object_lines())
    return line[: draw(st.integers(min_value=0, max_value=max(len(line) - 2, 0)))]


not_objects = st.lists(values, max_size=3).map(json.dumps) | scalars.map(json.dumps)
lines = st.lists(object_lines() | cut_lines() | not_objects, min_size=1, max_size=12).map(
    # One line that is an object, so that the intake reads the file rather than quarantining it.
    lambda drawn: ['{"event_id": "anchor"}', *(line for line in drawn if line.strip())]
)


@pytest.fixture(scope="module")
def bronze(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("bronze_parse")
    lake = folder / "lake"
    (lake / FOLDER).mkdir(parents=True)
    (lake / FOLDER / "part-00000.jsonl").write_text('{"event_id": "anchor"}\n', encoding="utf-8")
    workspace = DbtWorkspace.in_folder(folder, lake_root=lake)
    outcome = run_dbt(["run", "--target", "duckdb", "--select", "stg_playback__events"], workspace)
    assert outcome.succeeded, outcome.output[-3000:]
    return lake, Path(workspace.duckdb_path)


file_numbers = count(1)


@SETTINGS
@given(lines)
def test_every_field_is_the_text_a_parse_of_its_key_alone_gives(bronze: tuple[Path, Path], drawn: list[str]) -> None:
    lake, warehouse = bronze
    shutil.rmtree(lake / FOLDER)
    name = f"part-{next(file_numbers):05d}.jsonl"
    (lake / FOLDER).mkdir(parents=True)
    (lake / FOLDER / name).write_text("\n".join(drawn) + "\n", encoding="utf-8")
    run_intake(lake)

    columns = [*TEXT_FIELDS.values(), *RAW_FIELDS.values()]
    one_key = [
        *(
            f"trim(case when json_valid(_raw_payload) then json_extract_string(_raw_payload, '$.{k}') end)"
            for k in TEXT_FIELDS
        ),
        *(
            f"case when json_valid(_raw_payload) then json_extract_string(_raw_payload, '$.{k}') end"
            for k in RAW_FIELDS
        ),
    ]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        got = con.execute(
            f"select _raw_payload, _is_valid_json, {', '.join(columns)}, {', '.join(one_key)}"
            " from bronze.stg_playback__events where _source_file like ? order by _raw_payload",
            [f"%/{name}"],
        ).fetchall()

    assert sorted(line for (line, *_rest) in got) == sorted(drawn)
    for line, is_object, *fields in got:
        assert is_object == (1 if isinstance(_python_parse(line), dict) else 0), line
        view, alone = fields[: len(columns)], fields[len(columns) :]
        assert dict(zip(KEYS, view, strict=True)) == dict(zip(KEYS, alone, strict=True)), line


def _python_parse(line: str) -> object:
    try:
        return json.loads(line)
    except ValueError:
        return None
