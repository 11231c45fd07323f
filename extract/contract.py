"""The per-document contract summary (OCDS terms): value, annualised value, period, method.

Annualising lives here, once: index and web only read ``Record.contract``.
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta

from papers.schema import OCDS_METHOD, ContractSummary, Duration, Money

# When several routes are stated, the OCDS method names the most competitive one decided.
_METHOD_ORDER = ("open", "selective", "limited", "direct")


def _headline(money: list[Money]) -> Money | None:
    values = [m for m in money if m.is_contract_value]
    for wanted in ("total", "year"):
        for m in values:
            if m.per == wanted:
                return m
    return values[0] if values else None


def _term_and_extensions(durations: list[Duration]) -> tuple[float | None, float | None]:
    """The first term, and the extensions stated with it (restatements later are not added again)."""
    terms = [d for d in durations if d.kind == "term"]
    term = terms[0].months if terms else None
    if not any(d.kind == "extension" for d in durations):
        return term, None
    anchor = terms[0].end if terms else 0
    following = [d for d in durations if d.start >= anchor]
    extensions: list[float] = []
    for d in following:
        if d.kind == "extension":
            extensions.append(d.months)
        elif extensions or (d.kind == "term" and d is not (terms[0] if terms else None)):
            break
    if not extensions:
        extensions = [next(d.months for d in durations if d.kind == "extension")]
    return term, sum(extensions)


def _add_months(iso: str, months: float) -> str | None:
    try:
        start = dt.date.fromisoformat(iso)
    except ValueError:
        return None
    whole = int(months)
    return (
        start + relativedelta(months=whole, days=round((months - whole) * 30.44)) - dt.timedelta(days=1)
    ).isoformat()


def summarise(
    money: list[Money],
    durations: list[Duration],
    routes: list[str],
    *,
    start: str | None,
    end: str | None,
    route_details: list[str],
) -> ContractSummary:
    summary = ContractSummary(start_date=start, end_date=end)
    headline = _headline(money)
    term, extension = _term_and_extensions(durations)
    summary.term_months, summary.extension_months = term, extension
    if term is not None:
        summary.max_months = term + (extension or 0)
    if headline:
        summary.value_amount, summary.value_per = headline.amount, headline.per
        if headline.per == "year":
            summary.annual_value, summary.annualised_by = headline.amount, "stated"
            if term:
                summary.total_value = round(headline.amount * term / 12, 2)
        elif headline.per == "total" or headline.per is None:
            summary.total_value = headline.amount
            if term:
                summary.annual_value = round(headline.amount / (term / 12), 2)
                summary.annualised_by = "total_over_term"
        elif headline.per == "month":
            summary.annual_value, summary.annualised_by = headline.amount * 12, "stated"
        if headline.per == "year" and term:
            summary.annualised_by = "stated"
    if start and len(start) == 10 and term:
        summary.end_date = end or _add_months(start, term)
        summary.max_extent_date = _add_months(start, term + (extension or 0))
    methods = [OCDS_METHOD[r] for r in routes if r in OCDS_METHOD]
    if methods:
        summary.procurement_method = min(methods, key=_METHOD_ORDER.index)
        summary.procurement_method_details = "; ".join(dict.fromkeys(route_details)) or None
    return summary
