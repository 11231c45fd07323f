"""The national crawl simulation's own logic: the politeness check on the server's request log,
and each council answering on its own loopback host (tests/benchmarks/national_sim.py)."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from tests.benchmarks.national_sim import Hit, NationalServer, SimCouncil, change_pages, host_of, politeness


def hits(host: str, starts: list[float], length: float = 0.05) -> list[Hit]:
    return [Hit(host, t, t + length, f"/page{n}", 200) for n, t in enumerate(starts)]


def test_polite_log_passes():
    log = hits("127.1.0.1", [i * 1.0 for i in range(20)]) + hits("127.1.0.2", [i * 0.6 for i in range(5)])
    report = politeness(log, delay=1.0, per_host=2)
    assert report["violations"] == []
    assert report["hosts"] == 2
    assert report["max_host_rate_per_s"] == pytest.approx(1.0)


def test_two_requests_closer_than_the_randomised_floor_are_a_violation():
    log = hits("127.1.0.1", [0.0, 1.0, 1.3, 2.5])  # 0.3 s apart: below 0.5 x 1 s
    (violation,) = politeness(log, delay=1.0, per_host=2)["violations"]
    assert violation.startswith("127.1.0.1: /page1 and /page2 0.300 s apart")
    # Without randomisation the floor is the whole delay: 0.6 s gaps break it too.
    assert politeness(hits("h", [0.0, 0.6, 1.2]), delay=1.0, per_host=2, randomize=False)["violations"]


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
    councils = [SimCouncil(i, f"C{i}", f"Council {i}", meetings=2, decisions=3) for i in range(3)]
    with NationalServer(councils) as server:
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
    council = SimCouncil(0, "C0", "Council 0", meetings=10, decisions=10)
    before = {k: council.respond("/" + k, TEMPLATES) for k in council.content_keys()}
    assert change_pages([council], share=0.1) == 5  # 10% of 40 items + 10 decisions
    changed = [k for k in council.content_keys() if council.respond("/" + k, TEMPLATES) != before[k]]
    assert len(changed) == 5


@pytest.fixture(scope="module", autouse=True)
def _templates():
    global TEMPLATES
    from tests.benchmarks.national_sim import Templates

    TEMPLATES = Templates.load()


def test_a_dead_council_has_nothing_listening_and_a_failing_one_answers_503_at_times():
    councils = [SimCouncil(i, f"C{i}", f"Council {i}", meetings=1, decisions=1) for i in (5, 15)]
    assert [c.role for c in councils] == ["dead", "failing"]
    with NationalServer(councils):
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
    council = SimCouncil(0, "C0", "Council 0", meetings=1, decisions=6)
    days = sorted(r["date"] for r in council.site.data["listing"])
    dr = "-".join(f"{d[8:10]}/{d[5:7]}/{d[:4]}" for d in (days[0], days[2]))
    for view in ("0", "1"):
        status, body, _ = council.respond(f"/mgDelegatedDecisions.aspx?DR={dr}&V={view}", TEMPLATES)
        assert status == 200 and body.count(b"ieDecisionDetails.aspx?ID=") >= 3
