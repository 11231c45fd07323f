"""Durations: months, kind (term/extension/other), compound forms split."""

import pytest

from extract.analysis import analyse


def durations(text):
    return [(v["months"], v["kind"]) for _, _, _, v in analyse(text).spans["durations"]]


@pytest.mark.parametrize(
    "phrase, expected",
    [
        ("a contract for a six year period", [(72, "term")]),
        ("award a contract for 3 years (with optional 2 year extension)", [(36, "term"), (24, "extension")]),
        (
            "a contract for an initial period of two years with a one year optional extension",
            [(24, "term"), (12, "extension")],
        ),
        ("the contract provides extensions of 2 years plus one", [(24, "extension"), (12, "extension")]),
        ("a 3+1+1 years contract", [(36, "term"), (12, "extension"), (12, "extension")]),
        ("the contract may be extended by up to a further 24 months", [(24, "extension")]),
        ("a six-month pilot service", [(6, "other")]),
        ("the contract will run for 18 months", [(18, "term")]),
        ("the contract allows 2 x 12 month extensions", [(12, "extension"), (12, "extension")]),
        ("a contract for five (5) years", [(60, "term")]),
        ("a contract of 12 weeks", [(2.8, "term")]),
        ("a contract for 2.5 years", [(30, "term")]),
        ("a contract term of 3 years and 4 months", [(40, "term")]),
        (
            "an initial term of four years with an option to extend for a further two periods of 12 months",
            [(48, "term"), (12, "extension"), (12, "extension")],
        ),
        ("a lease of 10 years on the depot", [(120, "other")]),
        ("Cabinet agreed to extend the parking contract for 3 years", [(36, "extension")]),
        ("a potential four-year contract term in total", [(48, "other")]),
    ],
)
def test_months_and_kind(phrase, expected):
    assert durations(phrase) == expected


@pytest.mark.parametrize(
    "phrase",
    [
        "young people aged 16 to 25 years",
        "children under 16 years old",
        "since 2008",
        "the 2018/19 budget",
        "over the last 12 months the service",
        "sixteen years’ service as a councillor",
        "the next few years",
    ],
)
def test_not_durations(phrase):
    assert durations(phrase) == []
