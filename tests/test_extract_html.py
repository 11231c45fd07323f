"""HTML text layer: main content only, label/value metadata, charset sniffing."""

from pathlib import Path

from extract.pipeline import extract_bytes, extract_path
from extract.text.encoding import decode
from extract.text.html import from_html

FIXTURES = Path(__file__).parent / "fixtures" / "moderngov"  # real LGSF captures, see SOURCES.md


def test_moderngov_decision_page():
    result = from_html((FIXTURES / "decision_detail.html").read_text(encoding="utf-8"))
    assert result.title == "Minutes of Previous Meeting"
    assert result.metadata["Date of decision"] == "19/10/2015"
    assert result.metadata["Decided at meeting"] == "19/10/2015 - Policy Committee"
    assert "Find out more about this issue" not in result.text  # mgLinks navigation
    assert "were approved as a correct\nrecord" not in result.text  # HTML whitespace collapsed
    assert "The Minutes of the Policy Committee meeting on 23 September 2015" in result.text


def test_moderngov_record_roles(tmp_path):
    record = extract_path(FIXTURES / "decision_multi_paragraph.html")
    assert record.decision_date == "2021-07-27"
    assert record.decision_maker == "Service Director - Homes & Neighbourhoods"
    assert record.title == "Appointment of contractor to demolish Holme Park Court"
    assert any(r.text.startswith("The demolition") for r in record.resolutions)


def test_chrome_is_dropped():
    html = (
        "<html><body><header>Site header</header><nav>Menu</nav><div class='cookie-banner'>Cookies</div>"
        "<main><h1>Award of contract</h1><p>The contract is worth £2m.</p></main><footer>Footer</footer>"
        "</body></html>"
    )
    result = from_html(html)
    assert result.text.split() == ["Award", "of", "contract", "The", "contract", "is", "worth", "£2m."]


def test_tables_become_rows():
    result = from_html("<body><table><tr><td>Contract Value</td><td>£207,809</td></tr></table></body>")
    assert "Contract Value | £207,809" in result.text


def test_windows_1252_page_keeps_pound_sign():
    data = "<html><body><p>The contract costs £400,000 per year.</p></body></html>".encode("cp1252")
    assert "£400,000" in decode(data)
    record = extract_bytes(data, source="page.html", content_type="text/html")
    assert record.money[0].amount == 400_000 and record.money[0].per == "year"


def test_empty_and_broken_html_never_raise():
    assert extract_bytes(b"", source="e.html", content_type="text/html").status == "empty"
    assert extract_bytes(
        b"<html><body><div><p>unclosed \x00\xff", source="b.html", content_type="text/html"
    ).status in ("ok", "empty", "corrupt")
