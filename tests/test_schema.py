"""The record schema: one definition, exported to docs/, round-tripping through JSON lines."""

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from papers.schema import OCDS_METHOD, Document, Money, Record, json_schema

DOCS = Path(__file__).resolve().parents[1] / "docs" / "record.schema.json"


def test_published_json_schema_matches_the_code():
    assert json.loads(DOCS.read_text()) == json_schema(), (
        "run: python -m papers.schema > docs/record.schema.json"
    )


def test_record_round_trips_through_json():
    text = "The contract costs £10.3 million per year."
    rec = Record(
        id="x",
        source="x.txt",
        text=text,
        money=[Money(text="£10.3 million per year", start=19, end=41, amount=10.3e6, per="year")],
        procurement=["framework"],
    )
    again = Record.from_json(rec.to_json())
    assert again == rec
    assert text[again.money[0].start : again.money[0].end] == again.money[0].text


@pytest.mark.parametrize("bad", [{"per": "fortnight"}, {"qualifier": "roughly"}])
def test_vocabularies_are_closed(bad):
    with pytest.raises(ValidationError):
        Money(text="£1", start=0, end=2, amount=1, **bad)


def test_unknown_route_is_rejected():
    with pytest.raises(ValidationError):
        Record(id="x", source="x", procurement=["bribery"])


def test_every_route_maps_to_an_ocds_method():
    routes = json_schema()["$defs"]["RouteMention"]["properties"]["route"]["enum"]
    assert sorted(OCDS_METHOD) == sorted(routes)
    assert set(OCDS_METHOD.values()) <= {"open", "selective", "limited", "direct"}


def test_document_dict_round_trip():
    doc = Document(
        id="c:decision_details:1",
        council="c",
        platform="moderngov",
        page_type="decision_details",
        url="https://x.test/a",
    )
    assert Document.from_dict(doc.to_dict()) == doc
