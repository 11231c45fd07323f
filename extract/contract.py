"""The per-document contract summary (OCDS terms): value, annualised value, period, method.

Annualising lives here, once: index and web only read ``Record.contract``.
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta

from papers.schema import OCDS_METHOD, ContractSummary, Duration, Money

# When several routes are stated, the OCDS method names the most competitive one decided.
_METHOD_ORDER = ("open", "selective", "limited", "direct")


# Mentions further apart than this belong to different statements (a restatement in the
# decision of a term already given in the purpose must not be added to it again).
_STATEMENT_GAP = 200


def _first(money: list[Money], pers: tuple[str | None, ...]) -> Money | None:
    return next((m for m in money if m.is_contract_value and m.per in pers), None)


def _term_and_extensions(durations: list[Duration]) -> tuple[float | None, float | None]:
    """Term and summed extensions of the first statement of the contract's period.

    A statement is a run of term/extension mentions each within _STATEMENT_GAP characters of the
    previous one: "3 years with an optional 2 year extension", "3+1+1 years". Later statements
    usually repeat the same period in other words, so they are not added again.
    """
    periods = [d for d in durations if d.kind in ("term", "extension")]
    if not periods:
        return None, None
    first = next((d for d in periods if d.kind == "term"), periods[0])
    statement = [first]
    for d in periods[periods.index(first) + 1 :]:
        if d.start - statement[-1].end > _STATEMENT_GAP or (d.kind == "term" and first.kind == "term"):
            break
        statement.append(d)
    term = first.months if first.kind == "term" else None
    extensions = [d.months for d in statement if d.kind == "extension"]
    return term, (sum(extensions) if extensions else None)


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
    term, extension = _term_and_extensions(durations)
    summary.term_months, summary.extension_months = term, extension
    if term is not None:
        summary.max_months = term + (extension or 0)
    annual = _first(money, ("year",))
    monthly = _first(money, ("month",))
    total = _first(money, ("total", None))
    headline = annual or total or monthly
    if headline:
        summary.value_amount, summary.value_per = headline.amount, headline.per
    if total:
        summary.total_value = total.amount
    if annual:
        summary.annual_value, summary.annualised_by = annual.amount, "stated"
    elif monthly:
        summary.annual_value, summary.annualised_by = round(monthly.amount * 12, 2), "stated"
    elif total and term:
        summary.annual_value = round(total.amount / (term / 12), 2)
        summary.annualised_by = "total_over_term"
    if summary.total_value is None and summary.annual_value is not None and term:
        summary.total_value = round(summary.annual_value * term / 12, 2)
    if start and len(start) == 10 and term:
        summary.end_date = end or _add_months(start, term)
        summary.max_extent_date = _add_months(start, term + (extension or 0))
    methods = [OCDS_METHOD[r] for r in routes if r in OCDS_METHOD]
    if methods:
        summary.procurement_method = min(methods, key=_METHOD_ORDER.index)
        summary.procurement_method_details = "; ".join(dict.fromkeys(route_details)) or None
    return summary
