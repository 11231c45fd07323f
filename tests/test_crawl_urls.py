"""Canonical URLs and document ids: one page, one document, however it was linked."""

import pytest
from scrapy import Request

from crawlers.urls import CanonicalFingerprinter, canonical_url, classify, document_id


@pytest.mark.parametrize(
    "a,b",
    [
        (
            "https://cabinet.leicester.gov.uk/(S(t1fziw45wvh0zr45gujmstei))/ieListDocuments.aspx?CId=78&MId=353&Ver=4",
            "https://cabinet.leicester.gov.uk/ieListDocuments.aspx?MID=353&CId=78",
        ),
        (
            "HTTPS://Democracy.Kent.gov.uk/mgIssueHistoryHome.aspx?IId=13407&Opt=0",
            "https://democracy.kent.gov.uk/mgIssueHistoryHome.aspx?Opt=0&iid=13407",
        ),
        (
            "https://x.gov.uk/mgDelegatedDecisions.aspx?&DR=21%2f04%2f2021-05%2f05%2f2021&RP=0",
            "https://x.gov.uk/mgDelegatedDecisions.aspx?RP=0&DR=21/04/2021-05/05/2021",
        ),
        ("http://x.gov.uk:80/mgAi.aspx?ID=1#top", "http://x.gov.uk/mgAi.aspx?ID=1"),
        (
            "https://x.gov.uk/documents/s7942/polc2 - 23.09.2015.pdf",
            "https://x.gov.uk/documents/s7942/polc2%20-%2023.09.2015.pdf",
        ),
    ],
)
def test_same_page_same_canonical_url(a, b):
    assert canonical_url(a) == canonical_url(b)


def test_different_pages_stay_different():
    assert canonical_url("https://x/mgAi.aspx?ID=1") != canonical_url("https://x/mgAi.aspx?ID=2")
    assert canonical_url("https://x/ieIssueDetails.aspx?IId=1&Opt=3") != canonical_url(
        "https://x/ieIssueDetails.aspx?IId=1&Opt=0"
    )
    # Outside ASP.NET, query keys keep their case.
    assert canonical_url("https://x/page?ID=1") != canonical_url("https://x/page?id=1")


def test_session_segment_removed_from_canonical_url():
    url = canonical_url("https://c.gov.uk/(S(abc123))/mgAi.aspx?ID=7")
    assert "(S(" not in url and url.endswith("/mgAi.aspx?id=7")


@pytest.mark.parametrize(
    "url,page_type,ids",
    [
        ("https://x/ieDecisionDetails.aspx?ID=712", "decision_details", {"decision": "712"}),
        ("https://x/ieDecisionDetails.aspx?AIId=30258", "decision_details", {"item": "30258"}),
        ("https://x/mgDecisionDetails.aspx?IId=71347&Opt=1", "issue_decisions", {"issue": "71347"}),
        ("https://x/ieIssueDetails.aspx?IId=25455&PlanId=0&Opt=3", "issue_meetings", {"issue": "25455"}),
        ("https://x/mgIssueHistoryHome.aspx?IId=13407&Opt=0", "issue_details", {"issue": "13407"}),
        ("https://x/mgAi.aspx?ID=38007", "agenda_item", {"item": "38007"}),
        (
            "https://x/(S(q))/ieListDocuments.aspx?CId=78&MId=353&Ver=4",
            "minutes",
            {"meeting": "353", "committee": "78"},
        ),
        ("https://x/mgCalendarMonthView.aspx", "other", {}),
    ],
)
def test_classify(url, page_type, ids):
    assert classify(url) == (page_type, ids)


def test_document_ids_use_platform_ids_else_url_hash():
    assert (
        document_id("HAL", "decision_details", {"decision": "712"}, "https://x") == "HAL:decision_details:712"
    )
    assert (
        document_id("LCE", "minutes", {"meeting": "353", "committee": "78"}, "https://x") == "LCE:meeting:353"
    ), "a meeting's id must not change when its page type does"
    a = document_id("X", "other", {}, "https://x/(S(a))/page.aspx?B=1&A=2")
    assert a == document_id("X", "other", {}, "https://x/page.aspx?a=2&b=1")
    assert a.startswith("X:other:") and len(a.split(":")[2]) == 16


def test_fingerprint_collapses_session_duplicates_but_not_redirect_hops():
    fp = CanonicalFingerprinter().fingerprint
    plain = Request("https://c.gov.uk/mgAi.aspx?ID=7")
    session = Request("https://c.gov.uk/(S(abc))/mgAi.aspx?id=7")
    assert fp(plain) == fp(session)
    hop = session.replace(meta={"redirect_times": 1})
    assert fp(hop) != fp(plain)


def test_agenda_item_and_decision_numbers_have_their_own_id_spaces():
    by_id = document_id("SHF", *classify("https://x/ieDecisionDetails.aspx?ID=2797"), "https://x")
    by_item = document_id("SHF", *classify("https://x/ieDecisionDetails.aspx?AIId=2797"), "https://x")
    assert by_id == "SHF:decision_details:2797" and by_item == "SHF:decision_details:ai-2797"


def test_scheme_is_canonical_except_on_loopback():
    assert canonical_url("http://democracy.x.gov.uk/mgAi.aspx?ID=1") == canonical_url(
        "https://democracy.x.gov.uk/mgAi.aspx?ID=1"
    )
    assert canonical_url("http://127.0.0.1:8000/X/mgAi.aspx?ID=1").startswith("http://127.0.0.1:8000/")


def test_stores_from_before_move_agenda_item_decisions_to_their_id_space(tmp_path):
    import sqlite3

    from index.store import Store
    from papers.schema import Document

    with Store(tmp_path / "p.sqlite3") as store:
        store.put_document(
            Document(
                id="CHO:decision_details:30258",
                council="CHO",
                platform="moderngov",
                page_type="decision_details",
                url="https://democracy.chorley.gov.uk/ieDecisionDetails.aspx?aiid=30258",
                platform_ids={"item": "30258"},
                body="<p>x</p>",
                content_type="text/html",
            )
        )
        store.conn.execute("PRAGMA foreign_keys=OFF")  # an old store: the id as it was written then
        store.conn.execute(
            "INSERT INTO attachments (document_id, url) VALUES (?, ?)", ("CHO:decision_details:30258", "u")
        )
    with Store(tmp_path / "p.sqlite3") as store:
        assert store.get_document("CHO:decision_details:30258") is None
        moved = store.get_document("CHO:decision_details:ai-30258")
        assert moved is not None and [a.url for a in moved.attachments] == ["u"]
    assert sqlite3.connect(tmp_path / "p.sqlite3").execute("PRAGMA foreign_key_check").fetchall() == []
