"""Procurement routes in the GUIDE vocabulary, with rejected options and bids left out."""

import pytest

from extract.analysis import analyse


def routes(text):
    return {v["route"] for _, _, _, v in analyse(text).spans["routes"]}


@pytest.mark.parametrize(
    "phrase, expected",
    [
        ("Approval to go out to tender for the service.", {"tender"}),
        ("A call-off from the Children's Residential Care Framework.", {"framework"}),
        ("Award following a mini competition.", {"mini_competition"}),
        ("Procured through the Dynamic Purchasing System.", {"dps"}),
        ("Agree the direct award of the contract.", {"direct_award"}),
        ("That the Contract Procedure Rules be waived.", {"exemption"}),
        (
            "Approve an exemption from competitive tendering to extend the existing contract.",
            {"exemption", "extension"},
        ),
        ("To approve a block contract for beds.", {"block_contract"}),
        ("Placements are made on a spot purchase basis.", {"spot_purchase"}),
        ("Halton will lead a joint procurement exercise.", {"joint_procurement"}),
        ("The service will be brought back in-house.", {"in_house"}),
        ("Approve a set of variations to the Waste Collection Contract.", {"extension"}),
    ],
)
def test_route_phrases(phrase, expected):
    assert routes(phrase) == expected


def test_rejected_alternative_is_not_a_route():
    text = (
        "That the Cabinet approves the extension of the existing contract.\n\n"
        "Alternative options considered and rejected\n\nCabinet could have decided to re-tender the contract.\n"
    )
    assert routes(text) == {"extension"}


def test_bid_and_negated_tender_are_not_routes():
    assert routes("That the tender of Esh Construction Ltd is accepted.") == set()
    assert "tender" not in routes("The Director is not required to competitively tender these placements.")
