"""`papers councils`, the registry block in the README, search notes for councils never crawled,
and the web Councils page: every registry council with the spider that covers it."""

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from crawlers.registry import load_registry
from papers import coverage
from papers.cli import cli
from papers.settings import Settings
from papers.web import create_app

README = Path(__file__).parent.parent / "README.md"
REQUIRED = {
    "id",
    "name",
    "platform",
    "spider",
    "reason",
    "last_crawl",
    "status",
    "documents",
    "records",
    "matters",
}


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_without_a_store_every_registry_council_is_listed_with_zero_counts(tmp_path):
    data = tmp_path / "none"
    result = run("--data-dir", str(data), "councils", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    registry = load_registry()
    assert [r["id"] for r in rows] == [c.id for c in registry] and len(rows) > 400
    assert all(REQUIRED <= set(r) for r in rows)
    assert {r["spider"] for r in rows} == {"moderngov", "cmis", None}
    for r in rows:  # a council without a spider says why; one with a spider needs no reason
        assert (r["spider"] is None) == bool(r["reason"])
        assert (r["documents"], r["records"], r["matters"], r["last_crawl"], r["status"]) == (
            0,
            0,
            0,
            None,
            None,
        )
    by_id = {r["id"]: r for r in rows}
    assert by_id["NTT"]["spider"] == "cmis" and by_id["ESS"]["platform"] == "cmis"
    assert by_id["BIR"]["spider"] is None and "custom_html" in by_id["BIR"]["reason"]
    active_cmis = [c for c in registry if c.platform == "cmis" and c.status == "active" and c.base_url]
    assert sum(r["spider"] == "cmis" for r in rows) == len(active_cmis) > 20
    # An abolished council keeps its platform but no spider: the registry's reason says why.
    assert by_id["DAV"]["platform"] == "cmis" and by_id["DAV"]["spider"] is None
    assert by_id["DAV"]["reason"] == "abolished 2021; succeeded by West Northamptonshire (WNT)"
    assert by_id["london"]["spider"] is None and by_id["london"]["reason"].startswith(
        "disabled: its LGSF URL"
    )
    assert not data.exists()  # listing creates no store


def test_platform_filter_csv_and_usage_errors(tmp_path):
    result = run("--data-dir", str(tmp_path), "councils", "--csv", "--platform", "cmis")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 34 and {r["platform"] for r in rows} == {"cmis"} and set(rows[0]) >= REQUIRED
    table = run("--data-dir", str(tmp_path), "councils", "--platform", "cmis")
    assert table.exit_code == 0 and "Essex County Council" in table.stdout and "34 councils" in table.stdout
    bad = run("--data-dir", str(tmp_path), "councils", "--platform", "sharepoint")
    assert bad.exit_code == 2 and "unknown platform" in bad.output and len(bad.output.splitlines()) == 1
    both = run("--data-dir", str(tmp_path), "councils", "--json", "--csv")
    assert both.exit_code == 2


def test_readme_coverage_block_is_what_the_generator_prints():
    printed = run("councils", "--summary").stdout
    assert coverage.readme_block(README) == printed == coverage.summary_markdown()
    registry = load_registry()
    all_row = printed.splitlines()[-1]
    assert all_row.endswith(f"**{len(registry)}** |")  # the totals come from the registry
    covered = [line for line in printed.splitlines() if line.startswith("| **covered**")][0]
    assert covered.endswith(f"**{sum(1 for c in registry if c.spider)}** |")


def test_summary_counts_each_platform_and_nation():
    from crawlers.registry import Council

    rows = [
        Council("A", "A", "cmis", "https://a/cmis5/Councillors.aspx", "SCT"),
        Council("B", "B", "cmis", "https://b/cmis5/Councillors.aspx", "ENG"),
        Council("C", "C", "custom_html", "https://c/", "ENG"),
        Council("D", "D", "moderngov", "", "WLS"),  # no base URL: listed, not covered
    ]
    lines = coverage.summary_markdown(rows).splitlines()
    assert "| cmis | cmis | 1 | 1 | 0 | 0 | 2 |" in lines
    assert "| custom_html | none (not covered) | 1 | 0 | 0 | 0 | 1 |" in lines
    assert lines[-2] == "| **covered** | | 1 | 1 | 0 | 0 | **2** |"


def test_search_notes_councils_no_spider_covers():
    assert coverage.uncovered_notes("council:BIR fostering")[0].startswith(
        "BIR (Birmingham City Council) is not covered"
    )
    assert (
        coverage.uncovered_notes("fostering council:ess OR council:bir")
        and len(coverage.uncovered_notes("council:bir OR council:BIR")) == 1
    )
    assert (
        coverage.uncovered_notes("council:NTT council:nope -council:BIR") == []
    )  # covered, unknown, excluded


@pytest.fixture(scope="module")
def updated(tmp_path_factory):
    """A data directory after `papers update --snapshot` of one CMIS council."""
    data = tmp_path_factory.mktemp("councils")
    result = run("--data-dir", str(data), "update", "--snapshot", "--council", "LUT", "--json")
    assert result.exit_code == 0, result.output
    return data


def test_after_an_update_a_cmis_council_has_its_crawl_and_counts(updated):
    rows = {r["id"]: r for r in json.loads(run("--data-dir", str(updated), "councils", "--json").stdout)}
    lut = rows["LUT"]
    assert lut["last_crawl"] and lut["status"] == "ok" and lut["spider"] == "cmis"
    assert lut["documents"] == 4 and lut["records"] >= 4 and lut["matters"] >= 1
    assert rows["ESS"]["last_crawl"] is None and rows["ESS"]["documents"] == 0  # not in this run
    # CMIS pages are searchable like any other: the snapshot's Luton items are tender decisions.
    hits = json.loads(run("--data-dir", str(updated), "search", "council:lut tender", "--json").stdout)
    assert hits["total"] >= 1 and {h["council"].upper() for h in hits["hits"]} == {"LUT"}
    note = run("--data-dir", str(updated), "search", "council:BIR fostering")
    assert note.exit_code == 0 and "note: BIR (Birmingham City Council) is not covered" in note.output


def test_web_councils_page_lists_the_registry_and_search_notes_uncovered(updated, tmp_path):
    client = TestClient(create_app(Settings(data_dir=updated)))
    page = client.get("/councils").text
    assert page.count('class="uncovered"') == sum(1 for c in load_registry() if not c.spider)
    assert "Luton Borough Council" in page and "Essex County Council" in page
    cmis = client.get("/councils", params={"platform": "cmis"}).text
    rows = cmis.count('href="/councils?platform=cmis#registry"')  # each row links its platform
    assert rows == 34 and "Birmingham City Council" not in cmis
    search = client.get("/", params={"q": "council:BIR fostering"}).text
    assert "Birmingham City Council) is not covered" in search
    assert "is not covered" not in client.get("/", params={"q": "council:LUT"}).text
    # Without a store the registry is still listed.
    empty = TestClient(create_app(Settings(data_dir=tmp_path / "none"))).get("/councils").text
    assert "Essex County Council" in empty and not (tmp_path / "none").exists()


def test_matters_are_counted_as_contracts_group_them_not_one_per_contract_row(tmp_path):
    from index import service
    from tests.test_matters import halton_settings

    settings = halton_settings(tmp_path)  # 4 contract rows: 3 pages of one procurement, 1 decision
    hal = next(r for r in coverage.councils(settings) if r["id"] == "HAL")
    assert hal["records"] == 4 and hal["matters"] == 2
    assert hal["matters"] == service.contracts(settings)["total"]
