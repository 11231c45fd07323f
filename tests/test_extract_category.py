"""Category: what the contract buys as a CPV 2008 code from the shipped list, with its official
description and the words it was read from; none when the page buys nothing. Phrasings are
written as other councils would put them (not taken from the dev set)."""

import csv
import re

import pytest

from extract.analysis.category import CPV_PATH, LEXICON, codes
from extract.pipeline import extract_text


def category(text):
    record = extract_text(text, source="t.txt")
    if record.category:
        c = record.category
        assert record.text[c.start : c.end] == c.text
        assert c.scheme == "CPV" and c.description == codes()[c.id]
    return record.category


@pytest.mark.parametrize(
    "text, division",
    [
        ("Approval to tender a new contract for domiciliary care across the county.", "85"),
        ("Award of contract for the provision of semi-independent accommodation for care leavers.", "85"),
        ("Cabinet agreed to extend the kerbside recycling and bin collection contract by two years.", "90"),
        ("The contract for street cleansing in the town centre is to be retendered.", "90"),
        ("Approval to award the contract for the resurfacing of the A59 carriageway.", "45"),
        ("Procurement of a responsive repairs and planned maintenance contract for council housing.", "50"),
        ("Award of SEND home to school transport routes from September.", "60"),
        ("To procure the supply of electricity and gas to corporate buildings through a framework.", "09"),
        ("Approval to purchase a new revenues and benefits software system and licences.", "48"),
        ("Contract award for manned guarding and CCTV monitoring at the civic offices.", "79"),
        ("Tender for the council's insurance programme (property and liability) from April.", "66"),
        ("Appointment of a multi-disciplinary design team and architects for the new library.", "71"),
        ("Award of the school meals contract to a new catering provider.", "55"),
        ("Extension of the grounds maintenance and grass cutting contract.", "77"),
        ("Procurement of an operator for the council's leisure centres and swimming pools.", "92"),
        ("Award of the civil parking enforcement contract.", "98"),
        ("Approval to purchase six refuse collection vehicles and two minibuses.", "34"),
    ],
)
def test_council_phrasing_gives_the_division(text, division):
    found = category(text)
    assert found is not None and found.id[:2] == division


def test_finer_code_where_the_text_supports_it():
    found = category("That the contract for grounds maintenance be awarded for five years.")
    assert (found.id, found.description, found.text) == (
        "77314000-4",
        "Grounds maintenance services",
        "grounds maintenance",
    )


def test_the_division_named_most_in_the_title_and_decision_wins():
    text = (
        "Award of Contract: Home Care Services\n\n"
        "RESOLVED that the home care contract be awarded. The provider will use electric vehicles "
        "and staff will receive training."
    )
    assert category(text).id[:2] == "85"


def test_with_several_contracts_the_largest_by_value_wins():
    text = (
        "Cabinet approved two contract awards. The contract for grounds maintenance has a value of "
        "£50,000 per year. The contract for refuse collection has a value of £4.5m per year."
    )
    assert category(text).id[:2] == "90"


@pytest.mark.parametrize(
    "text",
    [
        "That Councillor Patel be appointed Chair of the Corporate Parenting Panel for children in care.",
        "Notice of motion: this council supports care leavers and calls on government to act.",
        "Planning application 24/0113/FUL: change of use of a dwelling to a children's home. Refused.",
        "That the contract be awarded as set out in the exempt appendix.",  # buys something unnamed
    ],
)
def test_no_category_when_nothing_is_bought_or_said(text):
    assert category(text) is None


def test_code_list_is_well_formed_with_every_division():
    with CPV_PATH.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert all(re.fullmatch(r"\d{8}-\d", r["code"]) and r["description"].strip() for r in rows)
    divisions = {r["code"][:2] for r in rows if r["code"][2:8] == "000000"}
    assert len(divisions) == 45 and {"85", "90", "45", "50", "60", "09", "79", "98"} <= divisions
    assert len({r["code"] for r in rows}) == len(rows)
    assert codes()["85000000-9"] == "Health and social work services"


def test_every_lexicon_code_is_in_the_list():
    assert set(LEXICON) <= set(codes())
