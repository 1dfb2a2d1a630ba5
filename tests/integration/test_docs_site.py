"""The docs site as an analyst meets it: generated from the built warehouse,
served on loopback, opened in a real headless Chromium (Debian's package).

Saves screenshots to test-artifacts/ so a person can look at what was checked.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flick_ops.docs import generate_docs, serving

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Flags for a closed network: without them Chromium keeps trying to reach Google's hosts.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGE_TIMEOUT_MS = 90_000  # generous: CI machines are small and the site renders the whole manifest first
GOLD_MODELS_SHOWN = ("fct_playback_sessions", "mart_daily_engagement", "mart_qoe_daily", "mart_subscriptions_monthly")


@pytest.fixture(scope="module")
def docs_url(default_warehouse):
    assert default_warehouse.build.succeeded, default_warehouse.build.output[-3000:]
    # The site goes to a side target (<target>/docs/), so the build's artifacts, which other tests read, stay.
    site = generate_docs(default_warehouse.workspace)
    with serving(site) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), (
        "Debian's chromium is needed for this test: apt-get install chromium (make test does it)"
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    page.goto(url, wait_until="networkidle")
    return page


@pytest.mark.parametrize("model_name", GOLD_MODELS_SHOWN)
def test_gold_model_page_shows_its_description_and_columns(browser, docs_url: str, model_name: str) -> None:
    page = _open(browser, f"{docs_url}#!/model/model.flick.{model_name}")
    page.wait_for_selector(f"h1:has-text('{model_name}')", timeout=PAGE_TIMEOUT_MS)
    page.wait_for_selector("#columns", state="attached", timeout=PAGE_TIMEOUT_MS)
    body = page.inner_text("body")
    assert "Description" in body
    assert "This model is not currently documented" not in body
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"docs_{model_name}.png"), full_page=False)
    page.close()


def _parents_shown(page, docs_url: str, model_name: str) -> list[str]:
    """The models listed under "Depends On" on a model's page, as the site links them."""
    page.goto(f"{docs_url}#!/model/model.flick.{model_name}", wait_until="networkidle")
    page.wait_for_selector("#depends_on", state="attached", timeout=PAGE_TIMEOUT_MS)
    hrefs = page.eval_on_selector_all(
        "section:has(#depends_on) a[href^='#!/model/model.flick.']", "links => links.map(a => a.getAttribute('href'))"
    )
    return sorted({href.rsplit(".", 1)[-1] for href in hrefs})


def test_lineage_of_a_gold_mart_reaches_back_to_bronze(browser, docs_url: str) -> None:
    """Walk "Depends On" links page by page, as an analyst would, from a Gold mart to a Bronze view."""
    page = _open(browser, docs_url)
    assert "fct_playback_sessions" in _parents_shown(page, docs_url, "mart_daily_engagement")

    path, frontier, seen = [], ["mart_daily_engagement"], set()
    while frontier and not any(name.startswith("stg_") for name in path):
        model_name = frontier.pop(0)
        if model_name in seen:
            continue
        seen.add(model_name)
        path.append(model_name)
        frontier.extend(_parents_shown(page, docs_url, model_name))
        assert len(seen) < 40, f"no Bronze model within 40 pages of lineage: {path}"
    assert any(name.startswith("stg_") for name in path), path

    # The lineage graph of the mart, as the graph button opens it.
    page.goto(f"{docs_url}#!/model/model.flick.mart_daily_engagement", wait_until="networkidle")
    page.click("a[ng-click='onLauncherClick()']")
    page.wait_for_selector("canvas", state="attached", timeout=PAGE_TIMEOUT_MS)
    page.wait_for_timeout(2000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "docs_lineage_mart_daily_engagement.png"), full_page=False)
    page.close()
