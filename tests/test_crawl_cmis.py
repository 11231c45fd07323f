"""CMIS: parsers on the real captures, and the spider end to end against the snapshot's three
CMIS councils (one per install shape): complete, incremental, crash-safe, postbacks that fail."""

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawlers import cmis_parsers as parsers
from crawlers.registry import load_registry
from crawlers.run import crawl
from crawlers.snapshot import SnapshotServer
from crawlers.spiders.cmis import CmisMeetingsSpider, months
from crawlers.urls import classify, document_id
from extract.text.html import from_html
from index.store import Store
from papers.cli import cli
from papers.settings import Settings
from tests.killing import kill_mid_crawl

FIXTURES = Path(__file__).parent / "fixtures" / "cmis"
FAST = {"DOWNLOAD_TIMEOUT": 1.2}
CMIS = ["ESS", "LUT", "NTT"]


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


# -- parsers on the real captures -------------------------------------------------------------------


def test_calendar_month_lists_each_meeting_with_its_ids_and_date():
    base = "https://birmingham.cmis.uk.com/birmingham/"
    rows = parsers.parse_calendar_month(fixture("calendar_month.html"), base, date(2026, 6, 1))
    assert [(r["meeting"], r["committee_id"], r["date"], r["time"]) for r in rows] == [
        ("15028", "6", "2026-06-08", "10:00"),
        ("15029", "7", "2026-06-09", "10:00"),
        ("15030", "7", "2026-06-09", "12:00"),
        ("15099", "4", "2026-06-30", "14:00"),
    ]
    assert rows[0]["committee"] == "Licensing Sub-Committee A"
    assert rows[3]["url"].endswith("/Meeting/15099/Committee/4/SelectedTab/Documents/Default.aspx")


def test_meeting_documents_and_summary():
    base = "https://birmingham.cmis.uk.com/Birmingham/Meetings/tabid/70/ctl/ViewMeetingPublic/mid/397/Meeting/1/Committee/4/Default.aspx"
    docs = parsers.parse_documents(fixture("detail_with_minutes.html"), base)
    assert docs == [
        {
            "url": "https://birmingham.cmis.uk.com/Birmingham/Document.ashx?id=abc123",
            "title": "Final Planning Minutes 16042026",
        },
        {
            "url": "https://birmingham.cmis.uk.com/Birmingham/Document.ashx?id=def456",
            "title": "Final Agenda Reports - 9th July 2026",
        },
    ]
    summary = parsers.parse_summary(fixture("meeting_summary.html"))
    # Labels name the fields: the status is marked up with the venue's class.
    assert summary["Committee"] == "Licensing Sub-Committee A" and summary["Status"] == "Scheduled"
    assert summary["Venue"] == "On-line meeting"
    assert parsers.summary_date(summary["Date/Time"]) == "2026-08-03"
    assert parsers.parse_postbacks(fixture("detail_with_minutes.html")) == []


def test_snapshot_meeting_page_pages_its_documents_by_postback():
    with SnapshotServer() as server:
        site = server.sites["NTT"]
        page = (server.root / site.meetings[8801]["pages"][0]).read_text()
    assert parsers.parse_postbacks(page) == [
        ("dnn$ctr397$ViewMeetingPublic$cmisPdfDocuments$rptPager", "Page$2")
    ]
    action, fields = parsers.parse_form(page, "http://x/NTT/dms/Meetings/tabid/70/ctl/A/Default.aspx", "Form")
    assert action == "http://x/NTT/dms/Meetings/tabid/70/ctl/A/Default.aspx" and fields["__VIEWSTATE"]
    items = parsers.parse_agenda_items(page, "http://x/")
    assert [i["title"] for i in items] == [
        "Children's Homes Block Contract",
        "Re-procurement of Adult Social Care Domiciliary Care Contracts",
    ]


def test_install_root_from_every_registry_shape():
    roots = {
        c.id: CmisMeetingsSpider.install_root(c.base_url) for c in load_registry() if c.platform == "cmis"
    }
    assert len(roots) == 34
    assert roots["ESS"] == "http://cmis.essex.gov.uk/EssexCmis5"  # cmis5
    assert roots["LUT"] == "http://democracy.luton.gov.uk/cmis5public"  # cmis5public
    assert roots["NTT"] == "https://www.nottinghamshire.gov.uk/dms"  # /dms/, a DNN path-form page
    assert roots["SND"] == "https://committees.sunderland.gov.uk/committees/cmis5"
    assert (
        roots["MRY"] == "https://moray.cmis.uk.com/moray"
        and roots["WAW"] == "https://estates8.warwickdc.gov.uk/cmis"
    )
    assert roots["SST"] == "https://southstaffs.cmis.uk.com"  # installed at the site root
    assert not any(r.endswith((".aspx", "/")) or "ouncillor" in r for r in roots.values())


def test_cmis_urls_classify_as_the_same_page_types_as_moderngov():
    meeting = "https://x/dms/(S(abc))/Meetings/tabid/70/ctl/ViewMeetingPublic/mid/397/Meeting/15/Committee/6/Default.aspx"
    assert classify(meeting) == ("minutes", {"meeting": "15", "committee": "6"})
    assert document_id("NTT", *classify(meeting), meeting) == "NTT:meeting:15"
    item = "https://x/Decisions/tabid/67/ctl/ViewCMIS_DecisionDetails/mid/391/Id/0A0B0C0D-1111-2222-3333-444455556666/Default.aspx"
    assert classify(item) == ("agenda_item", {"item": "0a0b0c0d-1111-2222-3333-444455556666"})
    assert (
        classify(
            "https://x/Meetings/tabid/70/ctl/MeetingCalendarPublicNoJava/mid/397/Date/2026-06-01/Default.aspx"
        )[0]
        == "other"
    )
    assert months(date(2025, 11, 20), date(2026, 2, 1)) == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]


# -- the spider against the snapshot ----------------------------------------------------------------


def expected(server: SnapshotServer) -> tuple[set[str], set[str]]:
    """Document ids and attachment sha256s the CMIS councils hold, from the snapshot's manifest."""
    ids, files = set(), set()
    for s in server.manifest():
        if s["council"] not in CMIS:
            continue
        if s.get("attachment"):
            files.add(hashlib.sha256((server.root / s["file"]).read_bytes()).hexdigest())
        else:
            ids.add(document_id(s["council"], *classify("http://x/" + s["path"]), s["path"]))
    return ids, files


def stored(settings: Settings) -> dict[str, str]:
    with Store(settings.db_path) as store:
        return {r[0]: r[1] for r in store.conn.execute("SELECT id, sha256 FROM documents")}


@pytest.fixture(scope="module")
def first(server, tmp_path_factory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("cmis"))
    return settings, crawl(settings, councils=CMIS, snapshot=server, scrapy_settings=FAST)


def test_first_crawl_finds_every_meeting_item_report_and_minutes(first, server):
    settings, summary = first
    ids, files = expected(server)
    assert len(ids) == 12 and set(stored(settings)) == ids
    assert summary["totals"] == {"new": 12, "changed": 0, "unchanged": 0, "failed": 0}
    assert all(summary["councils"][c]["status"] == "ok" for c in CMIS)
    with Store(settings.db_path) as store:
        held = {a.sha256 for d in store.documents() for a in d.attachments if a.path}
        assert files <= held  # PDFs and the HTML report, whole, as served
        docs = {d.id: d for d in store.documents()}
    assert all(d.platform == "cmis" and "(S(" not in d.url for d in docs.values())  # ESS: session URLs
    # Stored without the WebForms plumbing (view state, the form wrapping the page), so the page's
    # text reaches extraction and a re-visit with a new view state is not a changed page.
    for d in docs.values():
        assert "__VIEWSTATE" not in d.body and "<form" not in d.body.lower() and "(S(" not in d.body
        text = from_html(d.body)
        assert text.status == "ok" and d.committee in text.text
    block = docs["NTT:agenda_item:72a7fe16-8f67-ea27-e6f2-89a1270bbef1"]
    assert block.title == "Children's Homes Block Contract" and "block contract" in from_html(block.body).text
    ntt = docs["NTT:meeting:8801"]
    assert (ntt.page_type, ntt.date, ntt.committee) == ("minutes", "2022-03-16", "Cabinet")
    # The minutes are on page 2 of the documents list, reached by postback (its first attempt fails).
    assert [a.title for a in ntt.attachments][-1] == "Printed minutes 2022-03-16 Cabinet"
    item = next(d for d in docs.values() if d.council == "LUT" and d.attachments)
    assert item.page_type == "agenda_item" and item.attachments[0].content_type == "text/html"
    assert item.platform_ids["meeting"] == "3301" and item.date == "2022-07-11"


def test_second_crawl_finds_nothing_new(first, server):
    settings, _ = first
    before = stored(settings)
    again = crawl(settings, councils=CMIS, snapshot=server, scrapy_settings=FAST)
    assert again["totals"]["new"] == again["totals"]["changed"] == again["totals"]["failed"] == 0
    assert stored(settings) == before
    # Re-visiting every month: pages answer 304 and nothing is written.
    since = crawl(settings, councils=["NTT"], since="2022-03-01", snapshot=server, scrapy_settings=FAST)
    assert since["totals"]["unchanged"] == 3 and since["totals"]["new"] == since["totals"]["changed"] == 0


def test_cli_crawl_json_twice_second_run_new_zero(server, tmp_path, monkeypatch):
    import crawlers.run as command  # papers crawl runs it through the update job's crawl stage

    real = command.crawl
    monkeypatch.setattr(
        command, "crawl", lambda s, **kw: real(s, **{**kw, "snapshot": server}, scrapy_settings=FAST)
    )
    args = ["--data-dir", str(tmp_path), "crawl", "--snapshot", "--council", "LUT", "--json"]
    runs = [json.loads(CliRunner().invoke(cli, args).stdout.splitlines()[0]) for _ in range(2)]
    assert runs[0]["totals"]["new"] == 4 and runs[1]["totals"]["new"] == 0
    assert runs[1]["councils"]["LUT"]["status"] == "ok"


def test_failed_postback_is_recorded_and_retried_next_run(server, tmp_path):
    settings = Settings(data_dir=tmp_path)
    fault = server.inject("postback_error", match="/NTT/", status=500)
    try:
        broken = crawl(settings, councils=["NTT"], snapshot=server, scrapy_settings=FAST)
    finally:
        server.clear_faults()
    row = broken["councils"]["NTT"]
    assert fault.hits >= 1 and row["status"] == "partial" and row["failed"] == 1
    assert "postback Page$2" in row["failures"][0]["error"]
    assert "NTT:meeting:8801" not in stored(settings)  # never half a meeting
    with Store(settings.db_path) as store:
        assert [f[0] for f in store.conn.execute("SELECT callback FROM crawl_failures")] == ["parse_meeting"]
    fixed = crawl(settings, councils=["NTT"], snapshot=server, scrapy_settings=FAST)
    assert fixed["totals"]["failed"] == 0 and fixed["new_ids"] == ["NTT:meeting:8801"]
    with Store(settings.db_path) as store:
        assert not store.conn.execute("SELECT count(*) FROM crawl_failures").fetchone()[0]
        assert len(store.get_document("NTT:meeting:8801").attachments) == 2


def test_killed_crawl_rerun_loses_nothing(first, server, tmp_path):
    reference = stored(first[0])
    kill_mid_crawl(tmp_path, CMIS, "/Decisions/", 0.4, 2)
    settings = Settings(data_dir=tmp_path)
    partial = stored(settings)
    assert 2 <= len(partial) < len(reference)
    summary = crawl(settings, councils=CMIS, snapshot=server, scrapy_settings=FAST)
    assert stored(settings) == reference
    assert set(summary["new_ids"]) == set(reference) - set(partial)
    assert not list(settings.files_dir.rglob("*.tmp"))


def test_a_page_that_is_not_the_calendar_is_a_recorded_failure_not_an_empty_month(tmp_path):
    from scrapy import Request
    from scrapy.http import HtmlResponse

    from crawlers.state import CrawlState
    from crawlers.summary import Tally

    row = {
        "id": "NTT",
        "base_url": "https://www.nottinghamshire.gov.uk/dms/Councillors/tabid/63/Default.aspx",
    }
    spider = CmisMeetingsSpider(councils=[row], tally=Tally(["NTT"]))
    spider.store = Store(tmp_path / "papers.sqlite3")
    spider.state, spider.slot_per_council = CrawlState(spider.store.conn), False
    url = "https://www.nottinghamshire.gov.uk/dms/Meetings/tabid/70/ctl/MeetingCalendarPublicNoJava/mid/397/Date/2026-06-01/Default.aspx"

    def answer(html: str) -> list:
        request = Request(url, meta={"council": "NTT", "month": "2026-06-01"})
        return list(spider.parse_calendar(HtmlResponse(url, body=html.encode(), request=request)))

    assert len(answer(fixture("calendar_month.html"))) == 4 and not spider.state.failures("NTT")
    assert answer("<html><body><h1>Welcome to the council</h1></body></html>") == []
    [failure] = spider.state.failures("NTT")
    assert "not a CMIS meetings calendar" in failure.error and failure.callback == "parse_calendar"
    assert failure.meta == {"month": "2026-06-01"} and spider.tally.counts["NTT"]["failed"] == 1
    spider.store.close()


def test_an_agenda_item_answering_404_is_gone_and_not_asked_again(server, tmp_path):
    """What the ModernGov spiders do with a page that is not coming back, CMIS does too (the
    shared DateWindowSpider): recorded as gone, not a failure retried every night."""
    settings = Settings(data_dir=tmp_path)
    missing = server.inject("error", match="/Id/606d0f14-a02e-3176-2863-1fbe2ca357ac/", status=404)
    try:
        first = crawl(settings, councils=["LUT"], snapshot=server, since="2022-07-01", scrapy_settings=FAST)
        again = crawl(settings, councils=["LUT"], snapshot=server, since="2022-07-01", scrapy_settings=FAST)
    finally:
        server.clear_faults()
    assert (first["councils"]["LUT"]["gone"], first["councils"]["LUT"]["failed"]) == (1, 0)
    assert missing.hits == 1 and again["councils"]["LUT"]["failed"] == 0
    assert first["councils"]["LUT"]["new"] == 3  # the meeting and its two other items
