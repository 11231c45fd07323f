"""End to end in a real headless Chromium: search, facet, decision, CSV download, councils.

Runs against uvicorn on 127.0.0.1 serving a small store built through index.service, drives
Debian's Chromium with Playwright (never `playwright install`), and saves a screenshot of every
page under build/test-output/ so a person can look at what a researcher sees.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from tests.test_web_support import FOSTERING_ID, HOSTILE_ID, WASTE_ID, build

CHROMIUM = os.environ.get("PAPERS_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
OUT = Path(__file__).resolve().parents[1] / "build" / "test-output"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (Path(CHROMIUM).exists() or shutil.which("chromium")),
        reason=f"Chromium not found at {CHROMIUM} (apt-get install chromium): browser tests skipped",
    ),
]
playwright_sync = pytest.importorskip(
    "playwright.sync_api", reason="playwright (a dev dependency) not installed"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """uvicorn on a free 127.0.0.1 port, in a thread, for the whole module."""
    import uvicorn

    from papers.web import create_app

    settings = build(tmp_path_factory.mktemp("web") / "data")
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=0, log_level="warning", access_log=False
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.02)
    port = srv.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser():
    executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    with playwright_sync.sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh page that fails the test on any JavaScript dialog (an injected alert) or page error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    yield page
    context.close()
    assert problems == []


def shot(page, name: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)


def test_search_facet_decision_and_back(server, page):
    page.goto(server + "/")
    page.fill("#q", "fostering")
    page.press("#q", "Enter")
    page.wait_for_url("**/?q=fostering")
    titles = page.locator(".hit h3 a").all_inner_texts()
    assert "Fostering framework award" in titles
    assert page.locator(".hit .snippet mark").count() >= 1  # highlighted matches
    assert page.locator("a.feed").get_attribute("href") == "/feed?q=fostering"
    shot(page, "search")

    page.click('a[data-facet="council:bromley"]')
    page.wait_for_url("**council%3Abromley**")
    assert page.input_value("#q") == "fostering council:bromley"
    metas = page.locator(".hit .meta .council").all_inner_texts()
    assert metas and set(metas) == {"London Borough of Bromley"}
    assert page.locator(".facets li.active").count() == 1
    shot(page, "search-facet")

    page.click("text=Fostering framework award")
    page.wait_for_url(f"**/records/{FOSTERING_ID}")
    assert page.locator("h1").inner_text() == "Fostering framework award"
    terms = {
        r.locator("th").inner_text(): r.locator("td").first.inner_text()
        for r in page.locator("table.terms tbody tr").all()
    }
    assert terms["Contract value"] == "£1,200,000 per year"
    assert terms["Term"] == "36 months (3 years)"
    page.click('table.terms a[href="#money-0"]')
    assert page.evaluate("location.hash") == "#money-0"
    marked = page.locator("#money-0 + mark").inner_text()
    assert marked == "£1.2 million per year"
    shot(page, "decision")


def test_malformed_query_is_shown_inline(server, page):
    page.goto(server + "/")
    page.fill("#q", "fostering value>=oops")
    page.press("#q", "Enter")
    page.wait_for_load_state()
    error = page.locator(".error").inner_text()
    assert "column 18" in error and "oops" in error  # points at the value
    assert page.input_value("#q") == "fostering value>=oops"  # the query stays editable
    shot(page, "search-error")


def test_contracts_chart_and_csv_download(server, page, tmp_path):
    page.goto(server + "/contracts")
    page.select_option("#group_by", "route")
    page.click("form.search button")
    page.wait_for_url("**group_by=route**")
    assert page.locator("svg.chart circle.dot").count() == 5  # every contract with a known annual value
    shown = page.locator("table.rows tbody tr").count()
    with page.expect_download() as info:
        page.click("text=CSV")
    path = tmp_path / "contracts.csv"
    info.value.save_as(path)
    decisions, groups = path.read_text(encoding="utf-8").split("\n\n")  # as `papers contracts --csv`
    rows = list(csv.DictReader(io.StringIO(decisions)))
    group_keys = [g["route"] for g in csv.DictReader(io.StringIO(groups))]
    assert [k.replace("_", " ") for k in group_keys] == page.locator(
        "table.groups tbody th"
    ).all_inner_texts()
    assert len(rows) == shown
    assert {r["id"] for r in rows} >= {FOSTERING_ID, HOSTILE_ID}
    shot(page, "contracts")


def test_councils_page(server, page):
    page.goto(server + "/councils")
    rows = {r.locator("th").inner_text(): r for r in page.locator("table.councils tbody tr").all()}
    assert any(name.startswith("Southampton") for name in rows)
    assert page.locator("tr.failing").count() == 2  # southampton's last crawl failed, chorley awaits a retry
    shot(page, "councils")


def test_hostile_record_runs_no_script(server, page):
    page.goto(server + "/records/" + HOSTILE_ID)
    assert "<script>alert('xss')</script>" in page.locator("h1").inner_text()  # shown as text
    assert page.locator("script").count() == 0
    assert page.locator("a[href^='javascript:']").count() == 0
    shot(page, "hostile-record")
    page.goto(server + "/?q=" + "%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert page.locator("script").count() == 0
    assert page.input_value("#q") == "<script>alert(1)</script>"
    shot(page, "hostile-query")


def test_supplier_facet_contracts_by_supplier_and_supplier_page(server, page):
    page.goto(server + "/?q=waste")
    facet = page.locator('a[data-facet^="category:"]').first
    assert facet.inner_text().startswith("90")  # the code with its description
    page.click('a[data-facet="supplier:\\"veolia es\\""]')
    page.wait_for_url("**supplier%3A%22veolia+es%22**")
    assert set(page.locator(".hit h3 a").all_inner_texts()) == {
        "Waste collection tender",
        "Waste management extension",
    }
    shot(page, "search-supplier-facet")

    page.click("text=Waste collection tender")
    page.wait_for_url(f"**/records/{WASTE_ID}")
    page.click('table.terms a[href="#supplier-0"]')
    assert page.locator("#supplier-0 + mark").inner_text() == "Veolia ES (UK) Ltd"
    assert page.locator("#category-0 + mark").inner_text() == "waste collection"
    shot(page, "decision-supplier")

    page.click("a.supplier")
    page.wait_for_url("**/suppliers/veolia%20es")
    assert page.locator("h1").inner_text() == "Veolia ES Limited"
    assert page.locator("table.supplier-matters tbody tr").count() == 2  # Chorley and Southampton
    shot(page, "supplier")

    page.goto(server + "/contracts")
    page.select_option("#group_by", "supplier")
    page.click("form.search button")
    page.wait_for_url("**group_by=supplier**")
    assert "Veolia ES Limited" in page.locator("table.groups tbody th").all_inner_texts()
    assert page.locator("svg.chart text.label").filter(has_text="Veolia").count() == 1
    page.select_option("#group_by", "category")
    page.click("form.search button")
    page.wait_for_url("**group_by=category**")
    assert "90511000-2 Refuse collection services" in page.locator("table.groups tbody th").all_inner_texts()
    shot(page, "contracts-by-category")
