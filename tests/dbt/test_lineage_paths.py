"""Bronze lineage does not depend on where the lake is mounted.

`make demo` reads the lake as `lake/`, `flick-ops run` as an absolute path,
production as abfss://...: the same landed row must keep the same
`_source_file` and `_bronze_row_id`, or an incremental model would take every
old row for a new one (and row_conservation would fail)."""

from __future__ import annotations

import duckdb

from flick_ops.dbt.runner import DbtWorkspace, run_dbt


def _bronze_ids(workspace: DbtWorkspace) -> set[tuple[str, str]]:
    outcome = run_dbt(["run", "--target", "duckdb", "--select", "stg_playback__events", "stg_app__accounts"], workspace)
    assert outcome.succeeded, outcome.output[-3000:]
    with duckdb.connect(str(workspace.duckdb_path), read_only=True) as con:
        return set(
            con.sql(
                "select _source_file, _bronze_row_id from bronze.stg_playback__events "
                "union all select _source_file, _bronze_row_id from bronze.stg_app__accounts"
            ).fetchall()
        )


def test_the_same_lake_read_through_another_path_gives_the_same_lineage(tmp_lake, tmp_path) -> None:
    lake = tmp_lake(days=3)
    mounted_elsewhere = tmp_path / "mnt" / "datalake"
    mounted_elsewhere.parent.mkdir(parents=True)
    mounted_elsewhere.symlink_to(lake, target_is_directory=True)

    direct = _bronze_ids(DbtWorkspace.in_folder(tmp_path / "direct", lake_root=lake))
    via_mount = _bronze_ids(DbtWorkspace.in_folder(tmp_path / "via_mount", lake_root=mounted_elsewhere))

    assert direct, "nothing landed"
    assert direct == via_mount
    assert all(source_file.startswith("bronze/") for source_file, _ in direct)
