"""The national crawl simulation's own logic: the politeness check on the server's request log,
and each council answering on its own loopback host (tests/benchmarks/national_sim.py)."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from datetime import date

import pytest

from crawlers.cmis_parsers import (
    parse_agenda_items,
    parse_calendar_month,
    parse_documents,
    parse_form,
    parse_postbacks,
)
from crawlers.parsers import content_area
from crawlers.registry import Council
from crawlers.spiders.cmis import CmisMeetingsSpider
from tests.benchmarks.national_sim import (
    Hit,
    NationalServer,
    SimCmisCouncil,
    SimCouncil,
    Templates,
    change_pages,
    host_of,
    politeness,
    sample,
    setting,
    short_reason,
)

TEMPLATES = Templates.load()


def moderngov(i: int, meetings: int = 2, decisions: int = 3) -> SimCouncil:
    return SimCouncil(
        i, Council(f"C{i}", f"Council {i}", "moderngov", "https://x.example"), meetings, decisions
    )


def cmis(
    i: int, base_url: str = "https://cmis.example/cmis5/Councillors.aspx", meetings: int = 6
) -> SimCmisCouncil:
    return SimCmisCouncil(i, Council(f"M{i}", f"Council {i}", "cmis", base_url), meetings, 0, TEMPLATES)


def hits(host: str, starts: list[float], length: float = 0.05) -> list[Hit]:
    return [Hit(host, t, t + length, f"/page{n}", 200) for n, t in enumerate(starts)]


def test_polite_log_passes():
    log = hits("127.1.0.1", [i * 1.0 for i in range(20)]) + hits("127.1.0.2", [i * 0.6 for i in range(5)])
    report = politeness(log, delay=1.0, per_host=2)
    assert report["violations"] == []
    assert report["hosts"] == 2
    assert report["max_host_rate_per_s"] == pytest.approx(1.0)


def test_requests_packed_closer_than_the_randomised_floor_are_a_violation():
    # Ten requests 0.3 s apart: 2.7 s, where ten at no less than 0.5 x 1 s take 4.5 s.
    log = hits("127.1.0.1", [0.0] + [1.0 + 0.3 * i for i in range(10)])
    window, rate = politeness(log, delay=1.0, per_host=2)["violations"]
    assert window.startswith("127.1.0.1: 10 requests from /page1 in 2.70 s")
    assert "requests/s over its run" in rate
    # Without randomisation the floor is the whole delay: 0.6 s gaps break it too.
    assert politeness(hits("h", [0.6 * i for i in range(10)]), delay=1.0, per_host=2, randomize=False)[
        "violations"
    ]


def test_one_pair_squeezed_by_the_servers_clock_is_reported_not_a_violation():
    # One request's handler started 0.35 s late: its neighbours look 0.3 s and 1.35 s apart.
    starts = [float(i) for i in range(20)]
    starts[5] += 0.7
    report = politeness(hits("127.1.0.1", starts), delay=1.0, per_host=2)
    assert report["violations"] == []
    assert report["pairs_closer_than_floor"] == 1 and report["min_gap_s"] == pytest.approx(0.3)


def test_a_host_averaging_faster_than_the_delay_is_a_violation():
    log = hits("127.1.0.1", [i * 0.55 for i in range(30)])  # every gap above the floor, 1.8 per second
    violations = politeness(log, delay=1.0, per_host=2)["violations"]
    assert any("requests/s over its run" in v for v in violations)


def test_too_many_requests_in_flight_at_one_host():
    log = [Hit("127.1.0.1", t, t + 5.0, f"/p{t}", 200) for t in (0.0, 1.0, 2.0)]
    report = politeness(log, delay=1.0, per_host=2)
    assert report["max_in_flight"] == 3
    assert any("3 requests in flight" in v for v in report["violations"])


def test_hosts_are_distinct_loopback_addresses():
    assert [host_of(i) for i in (0, 1, 249, 250, 432)] == [
        "127.1.0.1",
        "127.1.0.2",
        "127.1.0.250",
        "127.1.1.1",
        "127.1.1.183",
    ]


def test_each_council_answers_on_its_own_host_and_is_logged_there():
    councils = [moderngov(i) for i in range(3)]
    with NationalServer(councils, TEMPLATES) as server:
        one = urllib.request.urlopen(councils[1].base_url + "/mgWebService.asmx/GetCommittees?lDummy=0")
        assert b"<committeetitle>Cabinet</committeetitle>" in one.read()
        page = urllib.request.urlopen(councils[2].base_url + "/ieDecisionDetails.aspx?ID=900").read()
        assert b"C2 iedecisiondetails.aspx?id=900 v0" in page
        with pytest.raises(urllib.error.HTTPError):  # a cap of requests, answered 503 beyond it
            server.max_requests = len(server.log)
            urllib.request.urlopen(councils[0].base_url + "/robots.txt")
    assert [(h.host, h.status) for h in server.log] == [
        ("127.1.0.2", 200),
        ("127.1.0.3", 200),
        ("127.1.0.1", 503),
    ]


def test_changed_pages_get_new_bodies():
    council = moderngov(0, meetings=10, decisions=10)
    before = {k: council.respond("/" + k, None, TEMPLATES) for k in council.content_keys()}
    assert change_pages([council], share=0.1) == 5  # 10% of 40 items + 10 decisions
    changed = [k for k in council.content_keys() if council.respond("/" + k, None, TEMPLATES) != before[k]]
    assert len(changed) == 5


def test_a_change_is_inside_what_the_moderngov_spider_stores():
    council = moderngov(0)
    key = council.content_keys()[0]
    before = content_area(council.respond("/" + key, None, TEMPLATES)[1].decode())
    council.versions[key] = 1
    assert content_area(council.respond("/" + key, None, TEMPLATES)[1].decode()) != before


def test_a_dead_council_has_nothing_listening_and_a_failing_one_answers_503_at_times():
    councils = [moderngov(i, 1, 1) for i in (5, 15)]
    assert [c.role for c in councils] == ["dead", "failing"]
    with NationalServer(councils, TEMPLATES):
        with pytest.raises(urllib.error.URLError, match="refused"):
            urllib.request.urlopen(councils[0].base_url + "/robots.txt", timeout=5)
        statuses = []
        for _ in range(40):
            try:
                statuses.append(urllib.request.urlopen(councils[1].base_url + "/robots.txt").status)
            except urllib.error.HTTPError as exc:
                statuses.append(exc.code)
    assert 0 < statuses.count(503) < 20 and statuses.count(200) > 20


def test_a_decision_listing_lists_the_decisions_of_its_date_range():
    council = moderngov(0, 1, 6)
    days = sorted(r["date"] for r in council.data["listing"])
    dr = "-".join(f"{d[8:10]}/{d[5:7]}/{d[:4]}" for d in (days[0], days[2]))
    for view in ("0", "1"):
        status, body, *_ = council.respond(f"/mgDelegatedDecisions.aspx?DR={dr}&V={view}", None, TEMPLATES)
        assert status == 200 and body.count(b"ieDecisionDetails.aspx?ID=") >= 3


def test_a_cmis_council_is_crawled_by_the_cmis_spider_at_its_registry_path():
    council = cmis(1)
    with NationalServer([council], TEMPLATES):
        assert council.base_url.endswith("/cmis5/Councillors.aspx")
        root = CmisMeetingsSpider.install_root(council.base_url)
        m = min(council.data["meetings"], key=lambda m: m["date"])
        month = date.fromisoformat(m["date"]).replace(day=1)
        url = f"{root}/{CmisMeetingsSpider.calendar_path.format(month=month.isoformat())}"
        rows = parse_calendar_month(urllib.request.urlopen(url).read().decode(), url, month)
        assert str(m["id"]) in {r["meeting"] for r in rows}
        row = next(r for r in rows if r["meeting"] == str(m["id"]))
        page = urllib.request.urlopen(row["url"]).read().decode()
        items = parse_agenda_items(page, row["url"])
        assert len(items) == 4 and all(i["url"].startswith(root + "/Decisions/") for i in items)
        item = urllib.request.urlopen(items[0]["url"]).read()
        assert f"{council.id} ".encode() in item and b"{base}" not in item


def test_a_cmis_meetings_documents_list_pages_by_postback():
    council = cmis(2, meetings=12)
    paged = next(m for m in council.data["meetings"] if len(m["pages"]) > 1)
    first = council.cmis.meeting_page(paged, 1).decode()
    assert parse_postbacks(first) and len(parse_documents(first, "http://h/")) == 1
    action, fields = parse_form(first, "http://h/cmis5/Meetings/x/Default.aspx", "Form")
    form = urllib.parse.urlencode({**fields, "__EVENTTARGET": "pager", "__EVENTARGUMENT": "Page$2"}).encode()
    path = "/cmis5/Meetings/tabid/70/ctl/ViewMeetingPublic/mid/397/Meeting/{}/Committee/{}/Default.aspx"
    status, body, *_ = council.respond(path.format(paged["id"], paged["cid"]), form, TEMPLATES)
    assert status == 200 and parse_documents(body.decode(), "http://h/") != parse_documents(
        first, "http://h/"
    )


def test_a_cmis_install_at_the_site_root_or_in_a_folder():
    assert cmis(1, "https://x.example/Councillors.aspx").cmis.base == ""
    assert cmis(1, "https://x.example/committees/cmis5/Members.aspx").cmis.base == "/committees/cmis5"


def test_every_fourth_cmis_install_keeps_visitors_in_session_urls():
    council = cmis(4)
    status, _, _, headers = council.respond("/cmis5/Councillors.aspx", None, TEMPLATES)
    assert status == 302 and "/cmis5/(S(" in headers["Location"]


def test_a_sample_keeps_the_registry_mix_and_reasons_are_grouped():
    rows = [Council(f"C{i}", "", "cmis" if i >= 90 else "moderngov", "") for i in range(100)]
    picked = sample(rows, 20)
    assert len(picked) == 20 and sum(c.platform == "cmis" for c in picked) == 2
    assert sample(rows, None) == rows
    assert short_reason("abolished 2023; succeeded by North Yorkshire Council (NYE)") == "abolished"
    assert short_reason("disabled: repeats NNT") == "disabled"
    assert short_reason("no spider for its platform (unknown)") == "no spider for its platform (unknown)"


def test_a_scrapy_setting_to_compare_is_read_as_json_else_text():
    assert setting("CONCURRENT_REQUESTS=16") == ("CONCURRENT_REQUESTS", 16)
    assert setting("WARN_ON_GENERATOR_RETURN_VALUE=true") == ("WARN_ON_GENERATOR_RETURN_VALUE", True)
    assert setting("SCHEDULER_PRIORITY_QUEUE=scrapy.pqueues.ScrapyPriorityQueue") == (
        "SCHEDULER_PRIORITY_QUEUE",
        "scrapy.pqueues.ScrapyPriorityQueue",
    )
