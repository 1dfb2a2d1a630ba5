"""The README is a short manual and the pages in docs/ hold the rest; their links must work in a clone.

Static checks over README.md and docs/*.md: the README's length, every relative link (and
in-page anchor) and every file named in a code span pointing at something inside the
repository, every `flick-ops` command shown in the README, and no tracker numbers, commit
hashes or round-by-round history in the text.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from flick_ops.cli import main as flick_ops_cli

PROJECT_ROOT = Path(__file__).resolve().parents[2]
README = PROJECT_ROOT / "README.md"
README_MAX_LINES = 300

FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.DOTALL | re.MULTILINE)
CODE_SPAN = re.compile(r"(`+).+?\1", re.DOTALL)
# [text](target) and ![alt](target), with an optional "title"; <target> for targets with spaces.
INLINE_LINK = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)", re.MULTILINE)
HTML_LINK = re.compile(r"<(?:a|img)\s[^>]*?(?:href|src)=\"([^\"]+)\"", re.IGNORECASE)
HEADING = re.compile(r"^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$", re.MULTILINE)
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)
# A file the text names in a code span, from the project root: `flick_ops/run/scope.py`, `../shared/x.md`.
# Placeholders (`<source>`) and globs are patterns, not files; generated folders are not named with a suffix.
NAMED_FILE = re.compile(
    r"^(?:\.\./\S+|(?:flick_ops|tests|models|macros|seeds|snapshots|deploy|benchmarks|docs)/[\w./-]+\.\w+)$"
)

HISTORY = {
    "a round of work": re.compile(r"\b(?:this|last|previous|next) round\b", re.IGNORECASE),
    "a tracker number": re.compile(r"\b(?:issue|ticket|item)s?\s+#?\d+|(?<![\w&/])#\d+\b", re.IGNORECASE),
    "a commit hash": re.compile(r"\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{7,40}\b"),
}


def _manual_pages() -> list[Path]:
    return [README, *sorted((PROJECT_ROOT / "docs").glob("*.md"))]


def _prose(text: str) -> str:
    """The text a reader sees as prose: fenced code blocks and code spans removed.

    Indented lines stay: in these pages they are mostly list continuations, whose links count.
    """
    return CODE_SPAN.sub("", FENCE.sub("", text))


def _link_targets(text: str) -> list[str]:
    prose = _prose(text)
    targets = [*INLINE_LINK.findall(prose), *REFERENCE_DEFINITION.findall(prose), *HTML_LINK.findall(prose)]
    return [target.strip("<>") for target in targets]


def _anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = re.sub(r"[`*_~]|<[^>]+>", "", text).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    seen: dict[str, int] = {}
    anchors = set()
    for heading in HEADING.findall(FENCE.sub("", page.read_text(encoding="utf-8"))):
        anchor = _anchor(heading)
        count = seen.get(anchor, 0)
        seen[anchor] = count + 1
        anchors.add(anchor if count == 0 else f"{anchor}-{count}")
    return anchors


def _broken(page: Path, target: str) -> str | None:
    path_part, _, fragment = target.partition("#")
    resolved = (page.parent / unquote(path_part)).resolve() if path_part else page
    if not resolved.is_relative_to(PROJECT_ROOT):
        return f"{target}: outside the repository (a clone does not have it)"
    if not resolved.exists():
        return f"{target}: no such file or folder"
    if fragment and resolved.suffix == ".md" and unquote(fragment).lower() not in _anchors(resolved):
        return f"{target}: no heading with anchor #{fragment} in {resolved.relative_to(PROJECT_ROOT)}"
    return None


def _named_files(text: str) -> list[str]:
    spans = (match.group(0).strip("`").strip() for match in CODE_SPAN.finditer(FENCE.sub("", text)))
    return [span for span in spans if NAMED_FILE.match(span)]


def test_readme_is_a_short_manual() -> None:
    lines = README.read_text(encoding="utf-8").count("\n")
    assert lines <= README_MAX_LINES, (
        f"README.md has {lines} lines; keep it a manual of at most {README_MAX_LINES} "
        "and move explanations to a page in docs/"
    )


def test_docs_pages_exist() -> None:
    assert len(_manual_pages()) > 1, "docs/ holds no Markdown pages"


@pytest.mark.parametrize("page", _manual_pages(), ids=lambda p: str(p.relative_to(PROJECT_ROOT)))
def test_relative_links_resolve_inside_the_repository(page: Path) -> None:
    targets = [target for target in _link_targets(page.read_text(encoding="utf-8")) if not EXTERNAL.match(target)]
    broken = [problem for target in targets if (problem := _broken(page, target))]
    assert not broken, f"{page.relative_to(PROJECT_ROOT)}: " + "; ".join(broken)


@pytest.mark.parametrize("page", _manual_pages(), ids=lambda p: str(p.relative_to(PROJECT_ROOT)))
def test_pages_describe_the_product_not_its_history(page: Path) -> None:
    prose = _prose(page.read_text(encoding="utf-8"))
    found = [f"{kind} ({match.group(0)!r})" for kind, rule in HISTORY.items() for match in rule.finditer(prose)]
    assert not found, f"{page.relative_to(PROJECT_ROOT)} carries history (it belongs in commit messages): {found}"


@pytest.mark.parametrize("page", _manual_pages(), ids=lambda p: str(p.relative_to(PROJECT_ROOT)))
def test_files_named_in_code_exist(page: Path) -> None:
    missing = []
    for name in _named_files(page.read_text(encoding="utf-8")):
        path = (PROJECT_ROOT / name).resolve()
        if not path.is_relative_to(PROJECT_ROOT):
            missing.append(f"{name}: outside the repository (a clone does not have it)")
        elif not path.exists():
            missing.append(f"{name}: no such file")
    assert not missing, f"{page.relative_to(PROJECT_ROOT)} names files that are not there: " + "; ".join(missing)


def test_readme_shows_every_command() -> None:
    readme = README.read_text(encoding="utf-8")
    missing = [name for name in flick_ops_cli.commands if not re.search(rf"flick-ops {name}\b", readme)]
    assert not missing, f"README.md shows no example of: {', '.join(f'flick-ops {name}' for name in missing)}"


def test_the_link_checker_sees_links_outside_code() -> None:
    text = "[a](docs/x.md) `[b](y.md)` ![c](<img one.png>)\n\n```\n[d](z.md)\n```\n[e]: ../f.md\n"
    assert _link_targets(text) == ["docs/x.md", "img one.png", "../f.md"]
    named = "`flick_ops/cli.py` `models/bronze/<source>/` `../shared/STYLE.md` `benchmarks/results/` `dbt build`"
    assert _named_files(named) == ["flick_ops/cli.py", "../shared/STYLE.md"]
    assert (
        _anchor("Spark parity (local Apache Spark against DuckDB)") == "spark-parity-local-apache-spark-against-duckdb"
    )
    assert _anchor("Running the pipeline (`flick-ops run`)") == "running-the-pipeline-flick-ops-run"
