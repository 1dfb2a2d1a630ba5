"""`flick-ops docs`: build the dbt docs site and serve it on loopback."""

from __future__ import annotations

import threading

import click


@click.command()
@click.option("--target", default="duckdb", show_default=True, help="dbt target whose warehouse the site describes.")
@click.option("--serve/--no-serve", default=True, show_default=True, help="Serve the site after building it.")
@click.option(
    "--port",
    type=click.IntRange(min=0, max=65535),
    default=8080,
    show_default=True,
    help="Port on 127.0.0.1 to serve on (0 picks a free one).",
)
def docs(target: str, serve: bool, port: int) -> None:
    """Build the dbt docs site (models, columns, KPI definitions, lineage) and serve it.

    The warehouse must be built first (`make demo`). The site lands in
    target/docs/ (index.html with manifest.json and catalog.json) and as one
    self-contained page, target/docs/static_index.html; the build's own
    artifacts in target/ are left as they are.
    """
    from flick_ops.dbt.runner import DbtWorkspace
    from flick_ops.docs import DocsBuildError, generate_docs, serving

    try:
        site = generate_docs(DbtWorkspace.default(), target=target)
    except DocsBuildError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"docs site: {site.index}\nsingle page: {site.static_page}")
    if not serve:
        return
    with serving(site, port=port) as url:
        click.echo(f"serving {url} (Ctrl+C to stop)")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            click.echo("stopped")
