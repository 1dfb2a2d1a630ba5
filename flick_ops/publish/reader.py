"""Read Gold models from the DuckDB warehouse, located through dbt's manifest, with the build's data time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path

import duckdb
import pyarrow as pa

from flick_ops.dbt import artifacts
from flick_ops.dbt.artifacts import ArtifactsError, BuildArtifacts
from flick_ops.dbt.runner import DbtWorkspace


class WarehouseError(RuntimeError):
    """The warehouse or its dbt artifacts are missing or do not hold a published model."""


@dataclass(frozen=True)
class GoldReader:
    """Gold models in a built DuckDB warehouse and the dbt artifacts (target/) of the build that made them."""

    duckdb_path: Path
    target_path: Path

    @classmethod
    def from_workspace(cls, workspace: DbtWorkspace) -> GoldReader:
        return cls(Path(workspace.duckdb_path), Path(workspace.target_path))

    @cached_property
    def artifacts(self) -> BuildArtifacts:
        """The dbt artifacts of the build being released (raises ArtifactsError when there are none)."""
        return BuildArtifacts.load(self.target_path)

    @property
    def manifest(self) -> dict:
        return self._artifacts_or_error().manifest

    @property
    def run_results(self) -> dict:
        return self._artifacts_or_error().run_results

    def _artifacts_or_error(self) -> BuildArtifacts:
        try:
            return self.artifacts
        except ArtifactsError as exc:
            raise WarehouseError(str(exc)) from exc

    @property
    def data_time(self) -> datetime:
        """When the build that produced the warehouse finished: the time the published data is as of."""
        return datetime.fromisoformat(self.run_results["metadata"]["generated_at"].replace("Z", "+00:00"))

    def model_node(self, model: str) -> dict:
        project = self.manifest["metadata"]["project_name"]
        node = self.manifest["nodes"].get(f"model.{project}.{model}")
        if node is None:
            raise WarehouseError(
                f"{model} is not a model of this dbt project ({self.target_path / artifacts.MANIFEST})"
            )
        return node

    def read(self, model: str) -> pa.Table:
        """The model's rows. dbt's relation name carries the catalog of the file dbt built; this file's is used."""
        node = self.model_node(model)
        if not self.duckdb_path.exists():
            raise WarehouseError(f"no warehouse at {self.duckdb_path}: build it first (`make demo`)")
        with duckdb.connect(str(self.duckdb_path), read_only=True) as connection:
            (catalog,) = connection.sql("select current_database()").fetchall()[0]
            relation = ".".join(_quoted(part) for part in (catalog, node["schema"], node.get("alias") or node["name"]))
            try:
                return connection.sql(f"select * from {relation}").to_arrow_table()
            except duckdb.CatalogException as exc:
                raise WarehouseError(f"{model} is not built in {self.duckdb_path} ({relation})") from exc


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
