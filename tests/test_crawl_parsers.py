"""ModernGov parsers on the real captures in tests/fixtures/moderngov (see its SOURCES.md)."""

from pathlib import Path

import pytest

from crawlers import parsers

FIXTURES = Path(__file__).parent / "fixtures" / "moderngov"
BASE = "https://democracy.example.gov.uk/ieDecisionDetails.aspx?ID=1"


def read(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def test_committees_from_web_service():
    committees = parsers.parse_committees_xml((FIXTURES / "ws_committees.xml").read_bytes())
    assert [c["id"] for c in committees] == ["312", "163", "144"]
    assert committees[0] == {
        "id": "312",
        "title": "Appointment Sub Committee for Director of Adult Social Services",
        "expired": True,
        "deleted": False,
    }


def test_meetings_from_web_service_keep_status_and_committee():
    meetings = parsers.parse_meetings_xml((FIXTURES / "ws_meetings.xml").read_bytes())
    assert [(m["id"], m["date"], m["status"]) for m in meetings] == [
        ("4966", "2026-01-13", "Cancelled"),
        ("4967", "2026-02-10", "Confirmed"),
    ]
    assert {m["committee"] for m in meetings} == {"Audit Committee"}


def test_meeting_items_decode_entity_encoded_html_and_linked_documents():
    meeting = parsers.parse_meeting_xml((FIXTURES / "ws_meeting_with_minutes.xml").read_bytes())
    assert meeting["id"] == "4967" and meeting["date"] == "2026-02-10"
    first, second = meeting["items"]
    assert first["id"] == "18831" and first["title"] == "Minutes"
    assert (
        first["text"] == "To approve as a correct record the minutes of the meeting held on 25 November 2025."
    )
    assert "<" not in first["minutes"] and first["minutes"].startswith("To approve the minutes")
    assert first["docs"][0]["url"] == "https://democracy.manchester.gov.uk/mgConvert2PDF.aspx?ID=60860"
    assert first["docs"][0]["published"] == "2026-02-02"
    assert second["number"] == "9."


def test_cancelled_meeting_has_no_items():
    meeting = parsers.parse_meeting_xml((FIXTURES / "ws_meeting_no_minutes.xml").read_bytes())
    assert meeting["status"] == "Cancelled" and meeting["items"] == []


def test_decision_details_with_meeting_issue_link_and_pdf():
    page = parsers.parse_page(read("decision_detail.html"), BASE)
    assert page["title"] == "Minutes of Previous Meeting"
    assert page["date"] == "2015-10-19"  # date of decision, not the publication date
    assert page["committee"] == "Policy Committee"
    assert page["meeting_url"] == "https://democracy.example.gov.uk/ieListDocuments.aspx?CId=151&MID=4832"
    assert page["labels"]["Decision status"] == "Recommendations Approved"
    assert page["attachments"] == [
        {
            "url": "https://democracy.example.gov.uk/documents/s7942/polc2 - 23.09.2015.pdf",
            "title": "polc2 - 23.09.2015",
        }
    ]
    assert page["issue_urls"] == ["https://democracy.example.gov.uk/mgIssueHistoryHome.aspx?IId=6535&Opt=0"]


def test_officer_decision_without_documents():
    page = parsers.parse_page(read("decision_detail_no_documents.html"), BASE)
    assert page["decision_maker"] == "Strategic Director for Environment"
    assert page["attachments"] == [] and page["committee"] is None
    assert page["date"] == "2026-08-04"


def test_decision_without_header_still_has_title_and_maker():
    page = parsers.parse_page(read("decision_multi_paragraph.html"), BASE)
    assert page["heading"] is None
    assert page["title"] == "Appointment of contractor to demolish Holme Park Court"
    assert page["decision_maker"] == "Service Director - Homes & Neighbourhoods"


def test_decisions_listing_rows_include_issue_rows_and_drop_hidden_refs():
    rows = parsers.parse_decisions_list(
        read("decisions_list.html"), "https://d.example.gov.uk/mgDelegatedDecisions.aspx"
    )
    assert [r["url"].rsplit("/", 1)[1] for r in rows] == [
        "ieDecisionDetails.aspx?ID=13567",
        "ieDecisionDetails.aspx?ID=13149",
        "mgIssueHistoryHome.aspx?IId=6535&Opt=0",
    ]
    assert rows[0]["title"].endswith("Railway Street, Huddersfield")
    assert rows[1]["date"] == "2025-11-03" and rows[1]["effective"] == "2025-11-03"


def test_officer_listing_with_two_columns():
    rows = parsers.parse_decisions_list(read("officer_decisions_list.html"), "https://d.example.gov.uk/")
    assert rows == [
        {
            "url": "https://d.example.gov.uk/ieDecisionDetails.aspx?ID=13149",
            "title": "Admission of the Public",
            "date": "2025-11-03",
            "effective": None,
        }
    ]


@pytest.mark.parametrize(
    "text,iso",
    [
        ("22&#47;10&#47;2015", None),
        ("22/10/2015", "2015-10-22"),
        ("31/02/2020", None),
        ("", None),
        ("1/4/2020 - Cabinet", "2020-04-01"),
    ],
)
def test_iso_date(text, iso):
    assert parsers.iso_date(text) == iso


def test_malformed_markup_gives_empty_results_not_errors():
    assert parsers.parse_decisions_list("<table class='mgTabTable'><tbody><tr><td>x", "https://x/") == []
    page = parsers.parse_page(
        "<div id='modgov'><p><span class='mgLabel'>Date of decision: </span>soon", "https://x/"
    )
    assert page["date"] is None and page["labels"] == {"Date of decision": "soon"}


def test_expanded_listing_view_parses_by_its_headings_not_its_table():
    rows = parsers.parse_decisions_list(
        read("decisions_list_expanded.html"), "https://democracy.sheffield.gov.uk/mgDelegatedDecisions.aspx"
    )
    assert [(r["url"].rsplit("/", 1)[1], r["date"]) for r in rows] == [
        ("ieDecisionDetails.aspx?ID=2797", "2021-04-30"),
        ("ieDecisionDetails.aspx?ID=2798", "2021-04-30"),
    ]  # the decision linked inside a decision's text is not a listed row
    assert rows[0]["title"].startswith("SCC Repairs and Maintenance Service: New Pitched Roofing")
    assert "ref:" not in rows[0]["title"] and "30/04/2021" not in rows[0]["title"]


def test_decision_spider_asks_for_the_table_view_and_the_officer_list():
    from crawlers.spiders.moderngov import ModernGovDecisionsSpider as spider

    assert "V=0" in spider.listing_query and "V=1" not in spider.listing_query
    assert set(spider.listings) == {"mgDelegatedDecisions.aspx", "mgListOfficerDecisions.aspx"}


@pytest.mark.parametrize(
    "body,ctype,reason",
    [
        (b"<html><title>Request Rejected</title></html>", "text/html; charset=utf-8", "text/html"),
        (b"<h1>Server Error in '/' Application.</h1>", "text/xml", "<h1>"),
        (
            b'<?xml version="1.0"?><soap:Envelope><soap:Body><soap:Fault>x</soap:Fault>',
            "text/xml",
            "SOAP fault",
        ),
    ],
)
def test_web_service_answers_that_are_not_its_xml_are_refused(body, ctype, reason):
    with pytest.raises(parsers.NotWebServiceAnswer, match=reason):
        parsers.web_service_xml(body, ctype, "committees")


def test_web_service_xml_passes_with_its_root():
    body = (FIXTURES / "ws_committees.xml").read_bytes()
    assert parsers.web_service_xml(body, "text/xml; charset=utf-8", "committees") is body


def test_meeting_items_carry_their_published_decision_flag():
    xml = (FIXTURES / "ws_meeting_with_minutes.xml").read_text()
    assert [i["decision"] for i in parsers.parse_meeting_xml(xml)["items"]] == [False, False]
    flagged = xml.replace("<isdecisionpublished>False", "<isdecisionpublished>True", 1)
    assert [i["decision"] for i in parsers.parse_meeting_xml(flagged)["items"]] == [True, False]


def test_decision_links_on_content_pages_are_followed():
    page = parsers.parse_page(
        '<div id="modgov"><a href="ieDecisionDetails.aspx?AIId=77">Decision</a></div>', BASE
    )
    assert page["issue_urls"] == ["https://democracy.example.gov.uk/ieDecisionDetails.aspx?AIId=77"]


def test_content_area_leaves_the_chrome_out():
    a = '<body><div class="banner">visit 1</div><div id="modgov"><p>x</p></div></body>'
    assert parsers.content_area(a) == parsers.content_area(a.replace("visit 1", "visit 2"))
