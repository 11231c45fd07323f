"""The contracts table: one row per contract decision, and per-group medians and quartiles.

Annualising happens once, in extract/ (``Record.contract.annual_value``: per-year amounts as
stated, totals divided by the term in years where the term is known). Here a missing annual
value stays blank and is counted as unknown, never guessed.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable
from typing import IO

from index.documents import is_contract, record_key, title_of
from papers.schema import Record

GROUP_BY = ("council", "route", "year", "maker")
UNKNOWN_GROUP = "(unknown)"

# (column, SQL type): the compact table index/store.py keeps beside the records.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("council", "TEXT"),
    ("council_name", "TEXT"),
    ("title", "TEXT"),
    ("page_type", "TEXT"),
    ("decision_maker", "TEXT"),
    ("decision_date", "TEXT"),
    ("annual_value", "REAL"),
    ("total_value", "REAL"),
    ("annualised_by", "TEXT"),
    ("term_months", "REAL"),
    ("extension_months", "REAL"),
    ("start_date", "TEXT"),
    ("end_date", "TEXT"),
    ("procurement_method", "TEXT"),
    ("routes", "TEXT"),  # space-separated papers.schema.Route values
    ("url", "TEXT"),
)
# The order of a row in CSV output.
ROW_FIELDS = ("id",) + tuple(name for name, _ in COLUMNS)
GROUP_FIELDS = ("group", "count", "known", "unknown", "q1", "median", "q3")
ORDER = " ORDER BY council, decision_date, title, id"  # how rows are listed
# The columns each grouping reads: the groups alone need only these, not whole rows.
GROUP_COLUMNS = {"council": "council", "route": "routes", "year": "decision_date", "maker": "decision_maker"}


def row_values(record: Record) -> tuple | None:
    """(key, id, *COLUMNS) for a contract decision; None for any other record."""
    if not is_contract(record):
        return None
    c = record.contract
    return (
        record_key(record.id),
        record.id,
        (record.council or "").lower() or None,
        record.council_name,
        title_of(record),
        record.page_type,
        record.decision_maker,
        record.decision_date,
        c.annual_value,
        c.total_value,
        c.annualised_by,
        c.term_months,
        c.extension_months,
        c.start_date,
        c.end_date,
        c.procurement_method,
        " ".join(sorted(set(record.procurement))),
        record.url,
    )


def quantile(ordered: list[float], p: float) -> float:
    """The p-quantile of sorted values, interpolating linearly between ranks (numpy's default)."""
    pos = (len(ordered) - 1) * p
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _group_keys(row: dict, group_by: str) -> list[str]:
    if group_by == "route":
        return row["routes"] or [UNKNOWN_GROUP]
    if group_by == "year":
        return [row["decision_date"][:4]] if row["decision_date"] else [UNKNOWN_GROUP]
    value = row["council"] if group_by == "council" else row["decision_maker"]
    return [value or UNKNOWN_GROUP]


def summarise(rows: Iterable[dict], group_by: str) -> list[dict]:
    """Per group: how many decisions, how many have an annual value, and its quartiles.

    A decision under two routes counts in both route groups.
    """
    values: dict[str, list[float]] = defaultdict(list)
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        for key in _group_keys(row, group_by):
            counts[key] += 1
            if row["annual_value"] is not None:
                values[key].append(row["annual_value"])
    groups = []
    for key in sorted(counts, key=lambda k: (k == UNKNOWN_GROUP, k)):
        known = sorted(values[key])
        stats = {
            p: round(quantile(known, q), 2) if known else None
            for p, q in (("q1", 0.25), ("median", 0.5), ("q3", 0.75))
        }
        groups.append(
            {
                "group": key,
                "count": counts[key],
                "known": len(known),
                "unknown": counts[key] - len(known),
                **stats,
            }
        )
    return groups


def write_csv(result: dict, out: IO[str]) -> None:
    """A contracts() result as CSV: the rows, a blank line, then the groups (headed by the grouping)."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ROW_FIELDS)
    for row in result["rows"]:
        writer.writerow([" ".join(row[f]) if f == "routes" else row[f] for f in ROW_FIELDS])
    out.write("\n")
    writer.writerow((result["group_by"],) + GROUP_FIELDS[1:])
    for group in result["groups"]:
        writer.writerow([group[f] for f in GROUP_FIELDS])
