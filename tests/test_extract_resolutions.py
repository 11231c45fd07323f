"""Resolutions: triggers, block ends, item splitting and outcomes."""

import pytest

from extract.analysis import analyse
from extract.analysis.resolutions import outcome_of


def items(text):
    return [(t, v["number"], v["outcome"]) for _, _, t, v in analyse(text).spans["resolutions"]]


def test_numbered_items_after_resolved():
    text = (
        "RESOLVED: That the Committee agreed –\n\n"
        "      i.         To grant delegated authority to the Director to enter into a\n\n"
        "          contract for school meals.\n\n"
        "     ii.         To note the report.\n\nReport author: A Person\n"
    )
    found = items(text)
    assert [n for _, n, _ in found] == ["i", "ii"]
    assert found[0][0].startswith("To grant") and "school meals" in found[0][0]
    assert [o for _, _, o in found] == ["approved", "noted"]


def test_bullets_under_a_numbered_item_are_items_of_their_own():
    # GUIDE, hard cases: "Bulleted and roman-numbered sub-items are resolution items of their own."
    text = (
        "RESOLVED\n\n1) That Members approved the delegated authority to:\n\n"
        "·   Award contracts following the tender\n\n2) That Members noted the report.\n\nReason for decision\n"
    )
    assert [t for t, _, _ in items(text)] == [
        "That Members approved the delegated authority to:",
        "Award contracts following the tender",
        "That Members noted the report.",
    ]


def test_flattened_bullets_are_items_and_headings_are_not():
    text = (
        "Content: RESOLVED:   Mayor and Cabinet:   Procurement 1 - Waste.   •   Approved the award of a contract."
        "   •   A 1-year contract for disposal.   •   Delegated authority to the Director.\n"
    )
    assert [t for t, _, _ in items(text)] == [
        "Approved the award of a contract.",
        "A 1-year contract for disposal.",
        "Delegated authority to the Director.",
    ]


def test_unnumbered_paragraphs_and_stop_heading():
    text = (
        "Decision:\n\nAGREED to authorise officers to extend the contract; and\n"
        "Request that officers report back to Cabinet; and\nauthorises the Monitoring Officer to sign.\n\n"
        "Reasons for decision\n\nThe contract works well.\n"
    )
    assert len(items(text)) == 3


def test_commentary_after_a_numbered_item_is_not_an_item():
    text = (
        "Decision:\n\n1)    Approves a Roofing budget of £3,650,000.00\n\n \n\n"
        "Funded as £3,467,500 from the HRA.\n\n2)    Approves the tendering of the contracts.\n"
    )
    found = items(text)
    assert [t for t, _, _ in found] == [
        "Approves a Roofing budget of £3,650,000.00",
        "Approves the tendering of the contracts.",
    ]


def test_fallback_without_trigger():
    text = "1. To award the Housing contract to NPS for three years.\n2. To note the report.\n"
    assert len(items(text)) == 2


def test_narrative_under_decisions_heading_is_skipped():
    text = (
        "Decisions:\n\nThe Board considered a report from the Director.\n\n"
        "RESOLVED:  That the Board approves the award of the contract.\n\nPublication date: 21/06/2022\n"
    )
    assert [t for t, _, _ in items(text)] == ["That the Board approves the award of the contract."]


@pytest.mark.parametrize(
    "text, outcome",
    [
        ("That the report be noted.", "noted"),
        ("To approve the award.", "approved"),
        ("That the item be deferred to the next meeting.", "deferred"),
        ("That the application be refused.", "refused"),
        ("To recommend to Council that the budget be set.", "recommended"),
        ("Housekeeping.", None),
    ],
)
def test_outcomes(text, outcome):
    assert outcome_of(text) == outcome


def test_no_resolutions_in_plain_prose():
    assert items("The committee discussed the weather and went home.") == []


@pytest.mark.parametrize("body", ["Cabinet", "Executive", "Planning Committee"])
def test_a_label_with_its_value_on_the_next_line_is_not_a_lead_in(body):
    # meeting summaries (CMIS) put each label and its value in blocks of their own
    text = f"Meeting Details\n\nCommittee:\n\n{body}\n\nDate/Time:\n\n11 Jul 2022 - 10:00\n\nStatus:\n\nOccurred\n"
    assert items(text) == []


def test_a_decider_lead_in_with_its_colon_still_opens_a_block():
    text = "The Cabinet is asked to:\n\n1. approve the award of the contract.\n\nReasons\n"
    assert [t for t, _, _ in items(text)] == ["approve the award of the contract."]
