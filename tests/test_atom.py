"""papers/atom.py: well-formed Atom whatever the council text holds, with RFC 3339 dates."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from papers import atom

NS = "{http://www.w3.org/2005/Atom}"
HOSTILE = "<script>alert('x')</script> Fees & \"charges\" ]]> <!-- \x00\x1b\ufffe -->"


def parse(body: bytes) -> ET.Element:
    assert body.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    return ET.fromstring(body)


def test_hostile_text_is_escaped_text_in_a_well_formed_feed():
    entry = atom.Entry(
        id="urn:x:1",
        title=HOSTILE,
        updated="2024-03-01",
        links=[atom.Link('https://council.test/a?x=1&y="2"', title=HOSTILE)],
        categories=[atom.Category("bromley", label=HOSTILE)],
        summary="<b>fostering</b> &amp; care",
        summary_type="html",
    )
    body = atom.feed(HOSTILE, "urn:x", "2024-03-01", [entry], subtitle=HOSTILE)
    assert b"<script" not in body and b"<!--" not in body and b"\x00" not in body
    root = parse(body)
    expected = "<script>alert('x')</script> Fees & \"charges\" ]]> <!--  -->"  # forbidden characters dropped
    assert root.tag == f"{NS}feed"
    assert root.findtext(f"{NS}title") == root.findtext(f"{NS}subtitle") == expected
    (el,) = root.findall(f"{NS}entry")
    assert el.findtext(f"{NS}title") == expected
    link = el.find(f"{NS}link")
    assert link.get("href") == 'https://council.test/a?x=1&y="2"' and link.get("title") == expected
    assert el.find(f"{NS}category").get("label") == expected
    summary = el.find(f"{NS}summary")
    assert summary.get("type") == "html" and summary.text == "<b>fostering</b> &amp; care"


def test_feed_carries_the_required_atom_elements_in_order_of_entries():
    entries = [atom.Entry(id=f"urn:x:{i}", title=f"Decision {i}", updated=f"2024-03-0{i}") for i in (3, 1, 2)]
    root = parse(
        atom.feed(
            "t", "urn:x", "2024-03-03T10:00:00Z", entries, links=[atom.Link("https://a.test/f", rel="self")]
        )
    )
    assert root.findtext(f"{NS}id") == "urn:x"
    assert root.findtext(f"{NS}updated") == "2024-03-03T10:00:00Z"
    assert root.findtext(f"{NS}author/{NS}name") == "committee-papers"
    assert root.find(f"{NS}link").attrib == {"href": "https://a.test/f", "rel": "self"}  # no empty attributes
    assert [e.findtext(f"{NS}id") for e in root.findall(f"{NS}entry")] == ["urn:x:3", "urn:x:1", "urn:x:2"]
    assert [e.findtext(f"{NS}updated") for e in root.findall(f"{NS}entry")][0] == "2024-03-03T00:00:00Z"


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ("2024-03-01", "2024-03-01T00:00:00Z"),
        ("2024-03-01T02:10:00Z", "2024-03-01T02:10:00Z"),
        ("2024-03-01T02:10:00+01:00", "2024-03-01T01:10:00Z"),
        (dt.date(2019, 5, 1), "2019-05-01T00:00:00Z"),
        (dt.datetime(2019, 5, 1, 23, 30), "2019-05-01T23:30:00Z"),  # naive: taken as UTC
        (dt.datetime(2019, 5, 2, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=1))), "2019-05-01T23:30:00Z"),
    ],
)
def test_dates_are_rfc3339_utc(when, expected):
    assert atom.rfc3339(when) == expected


def test_an_unreadable_date_is_an_error_not_a_feed():
    with pytest.raises(ValueError):
        atom.rfc3339("last Tuesday")
