"""The HTML pages and the Atom feed: what a researcher sees, escaped, linked and bounded."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from papers.cli import cli
from papers.schema import Money, Record, Resolution
from papers.web import chart, feed, marks
from tests.test_web_support import FOSTERING_ID, HOSTILE_ID, REPORT_ID, WASTE_ID, XSS, records, site


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    return site(tmp_path_factory.mktemp("pages"))


ATOM = "{http://www.w3.org/2005/Atom}"


def hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', html)


class Elements(HTMLParser):
    """Every element a browser would build from a page, with its attributes."""

    def __init__(self, html: str):
        super().__init__()
        self.found: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


# -- search -----------------------------------------------------------------------------------


def test_search_lists_hits_with_snippets_dates_councils_and_feed(client):
    html = client.get("/", params={"q": "fostering"}).text
    assert "<strong>3</strong> matches" in html
    assert '<a href="/records/bromley:decision_details:101">Fostering framework award</a>' in html
    assert "2020-02-10" in html and "London Borough of Bromley" in html
    assert re.search(r"<mark>[Ff]ostering</mark>", html)
    assert '<link rel="alternate" type="application/atom+xml"' in html and 'href="/feed?q=fostering"' in html


def test_facets_add_and_remove_filters(client):
    html = client.get("/", params={"q": "fostering"}).text
    assert 'href="/?q=fostering+council%3Abromley"' in html
    assert 'href="/?q=fostering+route%3Ablock_contract"' in html
    assert 'href="/?q=fostering+year%3A2020"' in html
    assert 'href="/?q=fostering+type%3Areport"' in html
    filtered = client.get("/", params={"q": "fostering council:bromley"}).text
    assert "<strong>2</strong> matches" in filtered
    assert re.search(r'<li class="active"><a href="/\?q=fostering"', filtered)  # the way back


def test_category_and_supplier_facets_filter_on_code_and_key(client):
    html = client.get("/", params={"q": "waste"}).text
    assert (
        'href="/?q=waste+category%3A90511000-2"' in html and "90511000-2 Refuse collection services" in html
    )
    assert 'href="/?q=waste+supplier%3A%22veolia+es%22"' in html
    narrowed = client.get("/", params={"q": "waste category:9051"}).text
    assert "<strong>1</strong> match " in narrowed and "Waste collection tender" in narrowed
    assert "<strong>0</strong> matches" in client.get("/", params={"q": "supplier:serco"}).text


@pytest.mark.parametrize("path", ["/", "/contracts", "/suppliers"])
def test_a_malformed_category_is_400_with_its_message(client, path):
    got = client.get(path, params={"q": "category:xyz"})
    assert got.status_code == 400 and "category: wants a CPV code" in got.text


def test_pagination_links(client, monkeypatch):
    monkeypatch.setattr("papers.web.pages.PAGE_SIZE", 3)
    first = client.get("/").text
    assert "Page 1 of 3" in first and 'href="/?page=2" rel="next"' in first and 'rel="prev"' not in first
    last = client.get("/", params={"page": 3}).text
    assert '<ol start="7">' in last and 'href="/?page=2" rel="prev"' in last and 'rel="next"' not in last


def test_malformed_query_is_shown_inline_with_a_caret(client):
    got = client.get("/", params={"q": "fostering value>=oops"})
    assert got.status_code == 400
    assert "bad query at column 18" in got.text
    assert re.search(r'<pre class="caret">fostering value&gt;=oops\n {17}\^</pre>', got.text)
    assert 'value="fostering value&gt;=oops"' in got.text  # still in the box, to be fixed


def test_overlong_query_and_deep_page_are_refused_politely(client):
    got = client.get("/", params={"q": "x" * 600})
    assert got.status_code == 400 and "<h1>Bad request</h1>" in got.text
    assert client.get("/", params={"page": 10**6}).status_code == 400


# -- escaping ---------------------------------------------------------------------------------

QUERY_XSS = "<script>alert('q')</script> \"onmouseover=alert(1) '><img src=x onerror=alert(2)>"


@pytest.mark.parametrize(
    "path, params",
    [
        ("/", {"q": "fostering"}),
        ("/", {"q": QUERY_XSS}),
        ("/", {"q": QUERY_XSS + ' "'}),  # a malformed query echoes the text in the error too
        (f"/records/{HOSTILE_ID}", {}),
        ("/contracts", {"q": ""}),
        ("/contracts", {"q": QUERY_XSS}),
        ("/contracts", {"group_by": "maker"}),
        ("/councils", {}),
        ("/feed", {"q": "fostering"}),
    ],
)
def test_council_text_and_query_text_are_escaped(client, path, params):
    body = client.get(path, params=params).text
    assert "<script" not in body
    assert "<img" not in body and "<i>" not in body and "<b>Evil" not in body and "<u>" not in body
    if path != "/feed":
        elements = Elements(body).found
        assert {tag for tag, _ in elements}.isdisjoint({"script", "img", "iframe", "object", "i", "u"})
        assert not [(tag, a) for tag, attrs in elements for a in attrs if a.startswith("on")]
        links = [attrs.get("href") or "" for _, attrs in elements]
        assert not [h for h in links if h.strip().lower().startswith("javascript:")]


def test_hostile_record_is_shown_as_text(client):
    html = client.get(f"/records/{HOSTILE_ID}").text
    assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt; fostering &lt;i&gt;award&lt;/i&gt;" in html
    assert "javascript:alert(&#39;url&#39;)" in html  # the stored URL is shown, but never as a link


# -- decision ---------------------------------------------------------------------------------


def test_decision_terms_link_to_marked_words(client):
    html = client.get(f"/records/{FOSTERING_ID}").text
    targets = [h[1:] for h in hrefs(html) if h.startswith("#") and h != "#mentions"]
    assert {
        "money-0",
        "duration-0",
        "duration-1",
        "date-0",
        "date-1",
        "route-0",
        "maker-0",
        "resolution-0",
    } <= set(targets)
    for anchor in targets:
        assert f'id="{anchor}"' in html
    after = html.split('id="money-0"></span>', 1)[1]
    assert re.match(r'<mark class="m-money m-resolution" title="[^"]*">£1\.2 million per year</mark>', after)
    assert re.search(r"<th scope=\"row\">Term</th>\s*<td>36 months \(3 years\)</td>", html)
    assert '<span class="outcome">approved</span> RESOLVED that the contract' in html


def test_decision_shows_suppliers_and_category_linked_to_their_words(client):
    html = client.get(f"/records/{WASTE_ID}").text
    assert '<a href="/suppliers/veolia%20es" class="supplier">Veolia ES (UK) Ltd</a>' in html
    assert (
        '<a href="/?q=category%3A90511000-2" class="category">90511000-2</a> Refuse collection services'
        in html
    )
    assert re.search(
        r'<th scope="row">Suppliers</th>\s*<td>Veolia ES \(UK\) Ltd</td>\s*<td><a href="#supplier-0"', html
    )
    assert re.search(
        r'<th scope="row">Category \(CPV\)</th>\s*<td>90511000-2 Refuse collection services</td>', html
    )
    after = html.split('id="supplier-0"></span>', 1)[1]
    assert re.match(
        r'<mark class="m-supplier" title="supplier: Veolia ES \(UK\) Ltd · key veolia es">Veolia ES \(UK\) Ltd</mark>',
        after,
    )
    assert 'id="category-0"></span><mark class="m-category"' in html


def test_decision_lists_source_and_attachments(client):
    html = client.get(f"/records/{FOSTERING_ID}").text
    assert 'href="https://democracy.bromley.gov.uk/ieDecisionDetails.aspx?ID=101"' in html
    assert f'href="/records/{REPORT_ID}">extracted text</a>' in html
    assert f'href="/records/{FOSTERING_ID}/attachments/1">local copy</a>' in html
    report = client.get(f"/records/{REPORT_ID}").text
    assert f'<a href="/records/{FOSTERING_ID}">Fostering framework award</a>' in report


def test_attachments_are_served_only_from_the_files_folder(client):
    pdf = client.get(f"/records/{FOSTERING_ID}/attachments/1")
    assert pdf.status_code == 200 and pdf.content == b"%PDF-1.4\n"
    assert pdf.headers["content-type"] == "application/pdf"
    outside = client.get(f"/records/{FOSTERING_ID}/attachments/0")  # stored path ../../outside.txt
    assert outside.status_code == 404 and "secret" not in outside.text
    assert client.get(f"/records/{FOSTERING_ID}/attachments/7").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/records/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/records/..%2F..%2Foutside.txt",
        "/records/" + "a" * 600,
        "/static/..%2F..%2F..%2Fpapers%2Fweb%2Fapp.py",
    ],
)
def test_ids_and_static_paths_cannot_traverse(client, path):
    got = client.get(path)
    assert got.status_code == 404
    assert "secret" not in got.text and "root:" not in got.text and "create_app" not in got.text


def test_marks_handle_overlaps_empty_and_stale_spans():
    text = "RESOLVED to pay £5 per year <now>."
    rec = Record(
        id="t",
        source="t",
        text=text,
        money=[
            Money(text="£5 per year", start=16, end=27, amount=5, per="year"),
            Money(text="", start=3, end=3, amount=1),  # empty: an anchor only
            Money(text="gone", start=90, end=94, amount=2),
        ],  # offsets past the text: skipped
        resolutions=[Resolution(text=text[:-1], start=0, end=len(text) - 1)],
    )
    found = marks.collect(rec)
    assert [m.anchor for m in found] == ["resolution-0", "money-1", "money-0"]  # text order
    html = str(marks.highlight(text, found))
    assert html.count('id="money-1"') == 1 and 'id="money-2"' not in html
    assert '<mark class="m-money m-resolution"' in html and "&lt;now&gt;" in html
    assert re.sub(r"<[^>]+>", "", html).replace("&lt;", "<").replace("&gt;", ">") == text


# -- contracts, councils, feed, API docs ------------------------------------------------------


def test_contracts_page_draws_every_known_value_and_links_downloads(client):
    html = client.get("/contracts", params={"group_by": "route"}).text
    assert html.count('class="dot"') == 5  # one per contract with an annual value (fostering, 4 more)
    assert (
        html.count('<rect class="box"') == 3
    )  # groups with a known value: block_contract, framework, tender
    assert (
        'href="/api/contracts.csv?group_by=route"' in html
        and 'href="/api/contracts.json?group_by=route"' in html
    )
    assert "£1,200,000" in html and "Value unknown" in html


def test_contracts_page_groups_by_supplier_and_category(client):
    html = client.get("/contracts", params={"group_by": "supplier"}).text
    assert '<th scope="row">Veolia ES Limited</th><td>2</td>' in html  # Chorley and Southampton, one key
    assert '<a href="/suppliers/veolia%20es">Veolia ES (UK) Ltd</a>' in html  # the row links its supplier
    assert "Matters</th>" in html and 'href="/contracts?group_by=supplier&amp;by_record=true"' in html
    assert "<title>Veolia ES Limited</title>" in html  # the chart's group label
    by_category = client.get("/contracts", params={"group_by": "category", "q": "category:90"}).text
    assert '<th scope="row">90511000-2 Refuse collection services</th>' in by_category
    assert '<abbr title="Refuse and waste related services">90500000-2</abbr>' in by_category
    pages = client.get("/contracts", params={"by_record": "true"}).text
    assert "Pages</th>" in pages and "conflicts" not in pages.split("<h2>Pages</h2>")[1]
    assert 'href="/api/contracts.csv?group_by=council&amp;by_record=true"' in pages


def test_supplier_page_lists_its_matters_across_councils(client):
    html = client.get("/suppliers/veolia%20es").text
    assert "<h1>Veolia ES Limited</h1>" in html and "Veolia ES (UK) Ltd; Veolia ES Limited" in html
    assert f'href="/records/{WASTE_ID}"' in html and 'href="/records/chorley:decision_details:30258"' in html
    assert "<dd>Chorley Council, Southampton City Council</dd>" in html
    assert "£10,000,000" in html  # the known total
    assert client.get("/suppliers/serco").status_code == 404
    assert client.get("/suppliers/%20ltd").status_code == 404
    assert client.get("/suppliers/veolia%22%20OR").status_code == 404  # a quote in a key is no query
    listed = client.get("/suppliers").text
    assert (
        '<a href="/suppliers/veolia%20es">Veolia ES Limited</a>' in listed
        and "chorley, southampton" in listed
    )


def test_chart_is_empty_without_values_and_logs_its_axis():
    assert str(chart.box_strip([chart.Group("a", 2)])) == ""
    svg = str(
        chart.box_strip(
            [
                chart.Group(
                    "<a>",
                    2,
                    [chart.Point(1_500, "/r/1", "x"), chart.Point(2_000_000, "/r/2", "<y>")],
                    1_500,
                    1e6,
                    2e6,
                )
            ]
        )
    )
    assert svg.startswith("<svg") and "&lt;a&gt;" in svg and "&lt;y&gt;" in svg
    assert ">£1k<" in svg and ">£10m<" in svg and ">£100k<" in svg  # powers of ten over four decades


def test_councils_page_shows_coverage_and_failures(client):
    html = client.get("/councils").text
    assert "Southampton City Council" in html and 'href="/?q=council%3Asouthampton"' in html
    assert html.count('class="failing"') == 2  # southampton's last crawl, chorley's retry queue


def test_feed_is_valid_atom_newest_first(client):
    settings = client.app.state.settings
    got = client.get("/feed", params={"q": "fostering OR contract"})
    assert got.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(got.content)  # a stray control character would make this fail
    dates = [e.find(f"{ATOM}updated").text for e in root.findall(f"{ATOM}entry")]
    assert dates and dates == sorted(dates, reverse=True)
    titles = [e.find(f"{ATOM}title").text for e in root.findall(f"{ATOM}entry")]
    assert XSS + " fostering <i>award</i>" in titles  # text, escaped by the serialiser
    two = feed.newest(settings, "", 2)
    dated = sorted((r.decision_date, r.id) for r in records())
    assert [h["id"] for h in two] == [i for _, i in dated[::-1][:2]]
    assert client.get("/feed", params={"q": "value>=oops"}).status_code == 400


def test_api_docs_page_lists_every_endpoint(client):
    html = client.get("/api").text
    for path in ("/api/search", "/api/contracts", "/api/records/{record_id}", "/api/councils"):
        assert f"<code>GET {path}</code>" in html


def test_pages_load_nothing_from_elsewhere(client):
    for path in ("/", "/contracts", "/councils", "/api", f"/records/{FOSTERING_ID}"):
        html = client.get(path).text
        assert not re.search(r'<(script|link|img|iframe)[^>]+(src|href)="(https?:)?//', html), path
    assert client.get("/static/style.css").headers["content-type"].startswith("text/css")


# -- papers serve -----------------------------------------------------------------------------


def test_serve_binds_localhost_by_default(monkeypatch, client):
    settings = client.app.state.settings
    seen = {}
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: seen.update(kw, app=app))
    result = CliRunner().invoke(cli, ["--data-dir", str(settings.data_dir), "serve"])
    assert result.exit_code == 0, result.output
    assert seen["host"] == "127.0.0.1" and seen["port"] == 8000
    assert TestClient(seen["app"]).get("/api/search", params={"q": "fostering"}).json()["total"] == 3


def test_serve_refuses_an_empty_data_directory(tmp_path):
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "nothing"), "serve"])
    assert result.exit_code == 2 and "papers update" in result.output


def test_serve_on_a_taken_port_is_one_line_not_uvicorns_exit_3(tmp_path):
    import socket

    from click.testing import CliRunner

    from index.store import Store
    from papers.cli import cli

    Store(tmp_path / "papers.sqlite3").close()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "serve", "--port", str(port)])
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.output
