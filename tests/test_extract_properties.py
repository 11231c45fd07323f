"""Properties: extraction never raises on arbitrary text or HTML, and every span it reports is
exactly the record's text at its offsets."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extract.pipeline import extract_bytes, extract_text

# Council-flavoured fragments make the rules fire; arbitrary text makes them meet the unexpected.
FRAGMENTS = st.sampled_from(
    [
        "£10.3 million per year",
        "£500K",
        "?400,000",
        "3+1+1 years",
        "2 years plus one",
        "up to a further 24 months",
        "1st July 2016 to 31st March 2017",
        "19/11/2019",
        "13th and 20th",
        "July – December 2023",
        "RESOLVED:",
        "Decision:",
        "\n1) That ",
        "\n(a) ",
        "   •   ",
        "Date of decision: ",
        "Decision Maker: ",
        "framework",
        "exemption from competitive tendering",
        "extend the existing contract",
        "\n\n",
        " ",
        "\u00a0",
        "–",
        "pa",
        "Alternative options considered\n",
        "Meeting: 07/02/2018 - Cabinet (Item 98)",
        "from",
        "to",
        "for",
        "awarded to ",
        "Northfield Care (UK) Ltd",
        "contract with ",
        " be appointed",
        "the following providers:-\n",
        "Lot 2 - ",
        "home to school transport",
        "grounds maintenance",
        # issue 14's rule classes: narrated decisions, deciders, totals, bare compounds, ends
        "The Cabinet agreed to ",
        "It has been agreed to ",
        "I have decided to ",
        "Agreed that ",
        "DECISION - ",
        "That Cabinet\n",
        "as follows:-\n",
        "Leader's Urgent Decision",
        "As Cabinet Member for Housing, I agree",
        "3+2+2 ",
        "for the period ",
        "will come to an end on ",
        "£19.66 p/hr",
        "Bed Rate: ",
        "PSR direct award",
    ]
)
TEXT = st.lists(st.one_of(FRAGMENTS, st.text(max_size=20)), max_size=40).map("".join)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_consistent(record):
    for group in (
        record.money,
        record.durations,
        record.dates,
        record.resolutions,
        record.procurement_mentions,
        record.suppliers,
        [record.category] if record.category else [],
    ):
        for item in group:
            assert record.text[item.start : item.end] == item.text


@SETTINGS
@given(TEXT)
def test_text_never_raises_and_spans_match(text):
    record = extract_text(text, source="prop.txt")
    assert record.status == ("ok" if record.text.strip() else "empty")  # never "error": rules never raise
    assert_consistent(record)


@SETTINGS
@given(
    st.lists(
        st.one_of(
            TEXT,
            st.sampled_from(
                [
                    "<p>",
                    "</p>",
                    "<div class='mgContent'>",
                    "<br>",
                    "<li>",
                    "<table><tr><td>",
                    "</td><td>",
                    "<script>x",
                    "<!--",
                    "&amp;",
                    "<span class='mgLabel'>Date of decision: </span>",
                ]
            ),
        ),
        max_size=30,
    ).map("".join)
)
def test_html_never_raises_and_spans_match(html):
    record = extract_text(html, source="prop.html", content_type="text/html")
    assert record.status in ("ok", "empty", "corrupt")
    assert_consistent(record)


@SETTINGS
@given(st.binary(max_size=300))
def test_bytes_never_raise(data):
    for content_type in ("text/html", "application/pdf", "text/plain; charset=windows-1252"):
        record = extract_bytes(data, source="prop.bin", content_type=content_type)
        assert record.status in ("ok", "empty", "corrupt", "encrypted", "needs_ocr", "unsupported")
        assert_consistent(record)
