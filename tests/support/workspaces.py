"""Workspaces that start from an already built one: a copy of its warehouse, and of its parse cache."""

from __future__ import annotations

import shutil
from pathlib import Path

from flick_ops.dbt.runner import DbtWorkspace, copy_parse_cache


def copy_of(
    built: DbtWorkspace, folder: Path, *, lake_root: Path | None = None, project_dir: Path | None = None
) -> DbtWorkspace:
    """A workspace of its own in `folder` whose warehouse starts as a copy of `built`'s.

    Over the same project it also starts from `built`'s parse cache, so its first dbt command re-parses only
    what differs (what reads another lake root) instead of the whole project. A copy of the project gets none:
    dbt would keep the files it did not re-parse pointing into the other project's folder.
    """
    project = Path(project_dir or built.project_dir)
    workspace = DbtWorkspace.in_folder(folder, lake_root=lake_root or built.lake_root, project_dir=project)
    Path(workspace.target_path).mkdir(parents=True, exist_ok=True)
    shutil.copyfile(built.duckdb_path, workspace.duckdb_path)
    if project.resolve() == Path(built.project_dir).resolve():
        copy_parse_cache(Path(built.target_path), Path(workspace.target_path))
    return workspace
