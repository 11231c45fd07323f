"""Money: amounts, per and qualifier (GUIDE.md definitions and the research probe phrases)."""

import pytest

from extract.analysis import analyse


def money(text):
    return [(v["amount"], v["per"], v["qualifier"]) for _, _, _, v in analyse(text).spans["money"]]


@pytest.mark.parametrize(
    "phrase, expected",
    [
        ("The contract would cost £10.3 million per year.", (10_300_000, "year", None)),
        ("aggregate spend will be in the region of £1.8 million", (1_800_000, "total", "approx")),
        ("up to a maximum cost of £750,000 per year", (750_000, "year", "max")),
        ("fees of £500K per placement", (500_000, "unit", None)),
        ("a budget of £1.8m", (1_800_000, None, None)),
        ("a programme of £2.5bn", (2_500_000_000, None, None)),
        ("worth 1.2 million pounds", (1_200_000, None, None)),
        ("paid at £12.50 per hour", (12.5, "hour", None)),
        ("at £650 per bed per week", (650, "week", None)),
        ("costing £1.2m p.a. to run", (1_200_000, "year", None)),
        ("costing £850k per annum", (850_000, "year", None)),
        ("a sum of £2,345,678", (2_345_678, None, None)),
        ("Financial Impact>£500K", (500_000, None, "min")),
        ("payments in excess of £500 are published", (500, None, "min")),
        ("a total contract value of £1,339,984 (3+2 years)", (1_339_984, "total", None)),
        ("at a rate of £22.47/hr", (22.47, "hour", None)),
        ("cost avoidance of £274.2k pa", (274_200, "year", None)),
        ("a total contract value of up to £2,400.000", (2_400_000, "total", "max")),
        ("Contract Value (£) £  207,809.89 per annum", (207_809.89, "year", None)),
        ("a saving of ?400,000 over the contract", (400_000, None, None)),
    ],
)
def test_amount_per_and_qualifier(phrase, expected):
    assert expected in money(phrase)


def test_range_first_amount_borrows_magnitude():
    assert [m[0] for m in money("between £1.5 and £2 million")] == [1_500_000, 2_000_000]


@pytest.mark.parametrize(
    "phrase", ["75% quality and 25% price", "Section 100D of the Act", "in 2019 we spent"]
)
def test_not_money(phrase):
    assert money(phrase) == []


def test_contract_value_role_excludes_thresholds_and_savings():
    text = (
        "The Council approves the award of the contract at an estimated cost of £1,000,000 per annum. "
        "Key decisions are those with Expenditure > £200,000. The change gives a saving of £40,000."
    )
    spans = analyse(text).spans["money"]
    roles = {v["amount"]: v["is_contract_value"] for _, _, _, v in spans}
    assert roles == {1_000_000: True, 200_000: False, 40_000: False}
