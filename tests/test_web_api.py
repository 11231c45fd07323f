"""The JSON API: the CLI's objects, the same errors, and the request limits."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from index.contracts import GROUP_FIELDS, csv_fields
from index.service import MAX_SEARCH_OFFSET
from papers.cli import cli
from papers.web import create_app
from papers.web.limits import MAX_API_LIMIT, MAX_QUERY_CHARS, MAX_URL_BYTES
from tests.test_web_support import FOSTERING_ID, HOSTILE_ID, REPORT_ID, records, site


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    return site(tmp_path_factory.mktemp("api"))


def cli_json(settings, *args: str) -> dict:
    result = CliRunner().invoke(cli, ["--data-dir", str(settings.data_dir), "-q", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_search_answers_what_papers_search_json_prints(client):
    settings = client.app.state.settings
    got = client.get("/api/search", params={"q": "fostering", "limit": 5})
    assert got.status_code == 200
    assert got.json() == cli_json(settings, "search", "fostering", "--limit", "5")
    assert {h["id"] for h in got.json()["hits"]} == {FOSTERING_ID, REPORT_ID, HOSTILE_ID}


def test_search_pages_with_limit_and_offset(client):
    first = client.get("/api/search", params={"q": "", "limit": 3}).json()
    second = client.get("/api/search", params={"q": "", "limit": 3, "offset": 3}).json()
    assert first["total"] == second["total"] == len(records())
    assert not {h["id"] for h in first["hits"]} & {h["id"] for h in second["hits"]}


@pytest.mark.parametrize(
    "q, column",
    [("value>=oops", 8), ('"care services', 1), ("council:", 9), ("after:1500", 7), ("before:9999", 8)],
)
def test_malformed_query_is_400_with_message_and_position(client, q, column):
    got = client.get("/api/search", params={"q": q})
    assert got.status_code == 400
    body = got.json()
    assert f"column {column}" in body["detail"] and body["position"] == column - 1
    assert client.get("/api/contracts", params={"q": q}).status_code == 400


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x" * (MAX_QUERY_CHARS + 1)},
        {"q": "fostering", "limit": MAX_API_LIMIT + 1},
        {"q": "fostering", "offset": MAX_SEARCH_OFFSET + 1},
        {"q": "fostering", "offset": 99_999_999_999},
        {"q": "fostering", "limit": -1},
        {"q": "fostering", "limit": "lots"},
    ],
)
def test_out_of_range_parameters_are_400(client, params):
    got = client.get("/api/search", params=params)
    assert got.status_code == 400
    assert isinstance(got.json()["detail"], str) and got.json()["detail"]


def test_contracts_are_the_cli_comparison_and_csv_holds_the_same_rows(client):
    settings = client.app.state.settings
    got = client.get("/api/contracts", params={"q": "block contract", "group_by": "route"})
    assert got.status_code == 200
    body = got.json()
    expected = cli_json(settings, "contracts", "block contract", "--group-by", "route")
    assert body["rows"] == expected["rows"] and body["groups"] == expected["groups"]
    assert body["truncated"] is False and body["total"] == len(body["rows"])
    text = client.get("/api/contracts.csv", params={"q": "block contract", "group_by": "route"}).text
    rows_part, groups_part = text.split("\n\n")
    rows = list(csv.DictReader(io.StringIO(rows_part)))
    assert list(rows[0]) == csv_fields(by_record=False)
    assert [r["id"] for r in rows] == [r["id"] for r in body["rows"]]
    groups = list(csv.DictReader(io.StringIO(groups_part)))
    assert list(groups[0]) == ["route", *GROUP_FIELDS[1:]]
    assert [g["route"] for g in groups] == [g["group"] for g in body["groups"]]


def test_suppliers_and_the_record_view_answer_what_the_cli_prints(client):
    settings = client.app.state.settings
    got = client.get("/api/suppliers", params={"q": "category:90"})
    assert got.status_code == 200 and got.json() == cli_json(settings, "suppliers", "category:90")
    assert got.json()["suppliers"][0]["councils"] == ["chorley", "southampton"]
    by_record = client.get("/api/contracts", params={"by_record": "true", "group_by": "supplier"}).json()
    assert by_record["by_record"] is True and "records" not in by_record["rows"][0]
    expected = cli_json(settings, "contracts", "--by-record", "--group-by", "supplier")
    assert by_record["rows"] == expected["rows"] and by_record["groups"] == expected["groups"]
    assert client.get("/api/suppliers", params={"q": "category:xyz"}).status_code == 400
    assert client.get("/api/contracts", params={"q": "supplier:nobody"}).json()["rows"] == []


def test_contracts_rejects_an_unknown_grouping(client):
    assert client.get("/api/contracts", params={"group_by": "colour"}).status_code == 400


def test_contracts_table_is_cut_with_the_downloads(client, monkeypatch):
    monkeypatch.setattr("papers.web.contracts.MAX_CONTRACT_ROWS", 2)
    body = client.get("/api/contracts").json()
    assert len(body["rows"]) == 2 and body["truncated"] and body["total"] > 2
    rows_part = client.get("/api/contracts.csv").text.split("\n\n")[0]
    assert len(list(csv.DictReader(io.StringIO(rows_part)))) == 2


def test_record_by_id_including_attachment_ids(client):
    got = client.get(f"/api/records/{FOSTERING_ID}")
    assert got.status_code == 200
    assert got.json()["contract"]["annual_value"] == 1_200_000
    assert client.get(f"/api/records/{REPORT_ID}").json()["document_id"] == FOSTERING_ID


@pytest.mark.parametrize(
    "path",
    [
        "/api/records/nope:decision_details:1",
        "/api/records/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/api/records/..%2F..%2Fpapers.sqlite3",
        "/api/records/bromley%00:decision_details:101",
    ],
)
def test_unknown_or_hostile_ids_are_404(client, path):
    got = client.get(path)
    assert got.status_code == 404
    assert "root:" not in got.text and "SQLite" not in got.text


def test_councils_report_coverage_and_crawl_health(client):
    councils = {c["id"]: c for c in client.get("/api/councils").json()["councils"]}
    assert councils["bromley"]["documents"] == 1 and councils["bromley"]["records"] == 3
    assert councils["bromley"]["contracts"] == 2 and councils["bromley"]["failures"] == 0
    assert councils["bromley"]["last_success"] is not None
    south = councils["southampton"]
    assert south["failures"] == 3 and south["flags"][0]["flag"] == "failing"
    chorley = councils["chorley"]  # no update run, but the crawler's own state knows it
    assert chorley["failures"] is None and chorley["last_success"] == "2024-03-01"
    assert chorley["awaiting_retry"] == 1 and councils["bromley"]["awaiting_retry"] == 0


def test_openapi_describes_the_api_and_no_page_loads_from_a_cdn(client):
    spec = client.get("/api/openapi.json").json()
    assert {"/api/search", "/api/contracts", "/api/records/{record_id}", "/api/councils"} <= set(
        spec["paths"]
    )
    params = {p["name"]: p for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert params["limit"]["schema"]["maximum"] == MAX_API_LIMIT
    assert client.get("/docs").status_code == 404  # the framework's page pulls Swagger UI from a CDN
    docs = client.get("/api").text
    assert 'href="/api/search"' in docs and 'href="/api/openapi.json"' in docs
    assert "<script" not in docs and 'src="http' not in docs


def test_read_only_and_bounded_requests(client):
    assert client.post("/api/search", params={"q": "x"}).status_code == 405
    assert client.delete(f"/api/records/{FOSTERING_ID}").status_code == 405
    assert client.request("GET", "/api/search", content=b"x" * 10).status_code == 413
    assert client.get("/api/search?q=" + "a" * MAX_URL_BYTES).status_code == 414


def test_security_headers_on_every_answer(client):
    for path in ("/api/search?q=fostering", "/", "/api/records/missing", "/static/style.css"):
        headers = client.get(path).headers
        assert "default-src 'none'" in headers["content-security-policy"], path
        assert headers["x-content-type-options"] == "nosniff"


def test_json_is_data_not_markup(client):
    """Script in a record stays a string in JSON, served as application/json (never rendered)."""
    got = client.get(f"/api/records/{HOSTILE_ID}")
    assert got.headers["content-type"].startswith("application/json")
    assert "<script>" in got.json()["title"]


def test_a_data_directory_without_a_store_says_so_and_creates_nothing(tmp_path):
    from papers.settings import Settings

    client = TestClient(create_app(Settings(data_dir=tmp_path / "none")))
    for url in ("/api/search?q=fostering", "/api/contracts"):
        got = client.get(url)
        assert got.status_code == 503 and "no store at" in got.json()["detail"]
    assert not (tmp_path / "none").exists()
    assert client.get("/api/councils").json() == {"councils": []}
    assert client.get("/api/records/x").status_code == 404


@pytest.mark.parametrize(
    ("q", "group_by"), [("", "council"), ("block contract", "route"), ("fostering", "year")]
)
def test_contracts_csv_download_is_byte_identical_to_the_cli(client, q, group_by):
    settings = client.app.state.settings
    args = ["--data-dir", str(settings.data_dir), "-q", "contracts", q, "--group-by", group_by, "--csv"]
    printed = CliRunner().invoke(cli, args)
    assert printed.exit_code == 0, printed.output
    downloaded = client.get("/api/contracts.csv", params={"q": q, "group_by": group_by})
    assert downloaded.status_code == 200
    assert downloaded.content == printed.stdout_bytes and b"\n\n" in downloaded.content
