"""The contract summary: which figures become the annualised value, term and extensions."""

import pytest

from extract.contract import summarise
from papers.schema import Duration, Money


def money(amount, per=None, cv=True, at=0):
    return Money(text="£", start=at, end=at + 1, amount=amount, per=per, is_contract_value=cv)


def period(months, kind, at):
    return Duration(text="x", start=at, end=at + 10, months=months, kind=kind)


def summary(m=(), d=(), **kw):
    return summarise(
        list(m),
        list(d),
        kw.pop("routes", []),
        start=kw.pop("start", None),
        end=kw.pop("end", None),
        route_details=[],
    )


def test_stated_annual_value_wins_over_a_total_including_extensions():
    s = summary([money(267_711, "total"), money(207_809.89, "year")], [period(12, "term", 0)])
    assert s.annual_value == 207_809.89 and s.annualised_by == "stated"
    assert s.total_value == 267_711


def test_total_is_annualised_over_the_term():
    s = summary([money(1_800_000)], [period(24, "term", 0), period(12, "extension", 20)])
    assert s.annual_value == 900_000 and s.annualised_by == "total_over_term"
    assert (s.term_months, s.extension_months, s.max_months) == (24, 12, 36)


def test_total_without_term_leaves_annual_value_unknown():
    s = summary([money(500_000, "total")])
    assert s.total_value == 500_000 and s.annual_value is None and s.annualised_by is None


def test_per_year_value_gives_a_total_over_the_term():
    s = summary([money(10_300_000, "year")], [period(72, "term", 0)])
    assert s.total_value == 10_300_000 * 6


def test_amounts_that_are_not_contract_values_are_ignored():
    s = summary([money(400_000, cv=False)], [period(36, "term", 0)])
    assert s.value_amount is None and s.total_value is None


def test_compound_extensions_add_up_within_one_statement():
    d = [period(36, "term", 0), period(12, "extension", 15), period(12, "extension", 30)]
    assert summary(d=d).extension_months == 24


@pytest.mark.parametrize("first_kind", ["term", "extension"])
def test_restated_periods_later_in_the_text_are_not_added_again(first_kind):
    d = [period(24, first_kind, 0), period(24, "extension", 900), period(24, "extension", 2000)]
    s = summary(d=d)
    assert s.extension_months == (None if first_kind == "term" else 24)


def test_end_and_max_extent_follow_from_a_start_date():
    s = summary(d=[period(36, "term", 0), period(24, "extension", 20)], start="2020-04-01")
    assert s.end_date == "2023-03-31" and s.max_extent_date == "2025-03-31"


def test_most_competitive_route_names_the_ocds_method():
    assert summary(routes=["extension", "tender"]).procurement_method == "open"
    assert summary(routes=["direct_award"]).procurement_method == "direct"
