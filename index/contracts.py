"""The contracts table: one row per contract record, and per-group medians and quartiles.

Rows here are per record; index/matters.py joins the records about one decision into one matter
row, which is what `papers contracts` lists by default.

Annualising happens once, in extract/ (``Record.contract.annual_value``: per-year amounts as
stated, totals divided by the term in years where the term is known). Here a missing annual
value stays blank and is counted as unknown, never guessed.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import IO

import numpy as np

from index.documents import is_contract, record_key, title_of
from papers.schema import Record

GROUP_BY = ("council", "route", "year", "maker", "category", "supplier")
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
    ("max_extent_date", "TEXT"),
    ("suppliers", "TEXT"),  # JSON [{key, name, record, start, end}], one per supplier key
    ("category_id", "TEXT"),  # CPV code, e.g. 85311000-2
    ("category_description", "TEXT"),
    ("sources", "TEXT"),  # JSON {term: {record, start, end}}: the words each term was read from
    # How index/matters.py finds the other records about the same decision (not shown in rows).
    ("document_id", "TEXT"),
    ("links", "TEXT"),  # space-separated platform ids: decision:712 issue:44 item:27001
    ("meeting", "TEXT"),  # the meeting id of a meeting-level page (minutes), else NULL
)
LINK_FIELDS = ("document_id", "links", "meeting")
JSON_FIELDS = ("suppliers", "sources")
# The order of a row in CSV and JSON output.
ROW_FIELDS = ("id",) + tuple(name for name, _ in COLUMNS if name not in LINK_FIELDS)
GROUP_FIELDS = ("group", "count", "known", "unknown", "q1", "median", "q3")
ORDER = " ORDER BY council, decision_date, title, id"  # how rows are listed
# The columns each grouping reads: the groups alone need only these, not whole rows.
GROUP_COLUMNS = {
    "council": "council",
    "route": "routes",
    "year": "decision_date",
    "maker": "decision_maker",
    "category": "category_id",
    "supplier": "suppliers",
}


def _at(record: Record, span) -> dict | None:
    return None if span is None else {"record": record.id, "start": span.start, "end": span.end}


def sources(record: Record) -> dict[str, dict]:
    """Where each contract term of a record was read: {term: {record, start, end}}.

    The value is the mention extract/ marked as the contract value, the term and extension the
    first durations of their kind, the dates the first mentions of the contract's start and end.
    """
    c = record.contract
    found = {
        "value": next((m for m in record.money if m.is_contract_value), None),
        "term": next((d for d in record.durations if d.kind == "term"), None),
        "extension": next((d for d in record.durations if d.kind == "extension"), None),
        "start_date": next((d for d in record.dates if c.start_date and d.date == c.start_date), None),
        "end_date": next((d for d in record.dates if c.end_date and d.date == c.end_date), None),
        "route": record.procurement_mentions[0] if record.procurement_mentions else None,
        "category": record.category,
    }
    return {term: at for term, span in found.items() if (at := _at(record, span)) is not None}


def suppliers(record: Record) -> list[dict]:
    """One entry per supplier key, at its first mention."""
    first: dict[str, dict] = {}
    for s in record.suppliers:
        first.setdefault(s.key, {"key": s.key, "name": s.name, **_at(record, s)})
    return list(first.values())


def row_values(record: Record, links: str = "", meeting: str | None = None) -> tuple | None:
    """(key, id, *COLUMNS) for a contract record; None for any other record. ``links`` and
    ``meeting`` are what index/matters.py read off the record's crawled page."""
    if not is_contract(record):
        return None
    c = record.contract
    category = record.category
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
        c.max_extent_date,
        json.dumps(suppliers(record)),
        category.id if category else None,
        category.description if category else None,
        json.dumps(sources(record)),
        record.document_id,
        links,
        meeting,
    )


def row_dict(record: Record, links: str = "", meeting: str | None = None) -> dict | None:
    """A contract record's row as the store hands it back (decoded); None for any other record."""
    values = row_values(record, links, meeting)
    if values is None:
        return None
    return decode(dict(zip(("id", *(n for n, _ in COLUMNS)), values[1:], strict=True)))


def decode(row: dict, lazy: bool = False) -> dict:
    """A stored row's text columns as the lists and objects they hold (in place); ``lazy`` leaves
    the JSON columns to json_field, for callers that read them in few rows of many."""
    if "routes" in row:
        row["routes"] = row["routes"].split() if row["routes"] else []
    if not lazy:
        for name in JSON_FIELDS:
            if name in row:
                json_field(row, name)
    return row


def json_field(row: dict, name: str) -> list | dict:
    """A JSON column of a row, decoded on first use (and kept decoded in the row)."""
    value = row[name]
    if isinstance(value, str) or value is None:
        value = row[name] = (
            json.loads(value) if value and value != "[]" else ([] if name == "suppliers" else {})
        )
    return value


def quantile(ordered: list[float], p: float) -> float:
    """The p-quantile of sorted values, interpolating linearly between ranks (numpy's default)."""
    pos = (len(ordered) - 1) * p
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _group_keys(row: dict, group_by: str) -> list[str]:
    if group_by == "route":
        return sorted(set(row["routes"])) or [UNKNOWN_GROUP]
    if group_by == "supplier":
        return sorted({s["key"] for s in row["suppliers"]}) or [UNKNOWN_GROUP]
    if group_by == "category":
        return [row["category_id"] or UNKNOWN_GROUP]
    if group_by == "year":
        return [row["decision_date"][:4]] if row["decision_date"] else [UNKNOWN_GROUP]
    value = row["council"] if group_by == "council" else row["decision_maker"]
    return [value or UNKNOWN_GROUP]


def _labels(row: dict, group_by: str) -> dict[str, str]:
    """What a category or supplier group is called beside its key (description, display name)."""
    if group_by == "category" and row["category_id"]:
        return {row["category_id"]: row.get("category_description") or ""}
    if group_by == "supplier":
        return {s["key"]: s["name"] for s in row["suppliers"]}
    return {}


class Groups:
    """Rows under one grouping, as arrays: the per-group figures of any subset of the rows come
    from a few numpy passes, not a Python loop over every row.

    The contracts table groups hundreds of thousands of matters for every query; the rows and
    their groups change only with the store, so a Groups is built once per store version (see
    index/service.py) and asked for each query's subset.
    """

    def __init__(self, rows: Iterable[dict], group_by: str):
        self.group_by = group_by
        names: dict[str, int] = {}
        pair_row: list[int] = []
        pair_group: list[int] = []
        self.pair_label: list[str | None] = []  # what the row calls the group (first one wins)
        values: list[float] = []
        for i, row in enumerate(rows):
            values.append(np.nan if row["annual_value"] is None else row["annual_value"])
            labels = _labels(row, group_by)
            for key in _group_keys(row, group_by):
                pair_row.append(i)
                pair_group.append(names.setdefault(key, len(names)))
                self.pair_label.append(labels.get(key))
        self.names = list(names)
        self.size = len(values)
        self.values = np.array(values, dtype=np.float64)
        self.pair_row = np.array(pair_row, dtype=np.int64)
        self.pair_group = np.array(pair_group, dtype=np.int64)
        # The pairs with a value, by group then value: a subset of them stays in that order.
        known = np.flatnonzero(~np.isnan(self.values[self.pair_row]))
        self.by_value = known[np.lexsort((self.values[self.pair_row[known]], self.pair_group[known]))]

    def summary(self, selected: np.ndarray | None = None) -> list[dict]:
        """Per group: how many of the ``selected`` rows (a boolean mask; None: all) it holds, how
        many have an annual value, and that value's quartiles, as ``summarise`` describes."""
        chosen = np.ones(self.size, dtype=bool) if selected is None else selected
        pairs = np.flatnonzero(chosen[self.pair_row])
        groups = self.pair_group[pairs]
        counts = np.bincount(groups, minlength=len(self.names))
        present, first = np.unique(groups, return_index=True)
        label = dict(zip(present.tolist(), (self.pair_label[i] for i in pairs[first].tolist()), strict=True))
        ordered = self.by_value[chosen[self.pair_row[self.by_value]]]
        known = np.bincount(self.pair_group[ordered], minlength=len(self.names))
        starts = np.concatenate(([0], np.cumsum(known)[:-1]))
        values = self.values[self.pair_row[ordered]].tolist()
        out = []
        for g in sorted(present.tolist(), key=lambda g: (self.names[g] == UNKNOWN_GROUP, self.names[g])):
            n, start = int(known[g]), int(starts[g])
            stats = {
                p: round(quantile(values[start : start + n], q), 2) if n else None
                for p, q in (("q1", 0.25), ("median", 0.5), ("q3", 0.75))
            }
            out.append(
                {
                    "group": self.names[g],
                    "count": int(counts[g]),
                    "known": n,
                    "unknown": int(counts[g]) - n,
                    **stats,
                }
            )
            if self.group_by in ("category", "supplier"):
                out[-1]["label"] = label[g]
        return out


def summarise(rows: Iterable[dict], group_by: str) -> list[dict]:
    """Per group: how many rows, how many have an annual value, and its quartiles.

    A row under two routes (or suppliers) counts once in each of their groups, never twice in one.
    Category and supplier groups carry a ``label``: the code's description, the supplier's name.
    """
    return Groups(rows, group_by).summary()


def csv_cell(row: dict, name: str) -> object:
    """A row's field as one CSV cell: lists joined, objects as JSON."""
    value = row.get(name)
    if name in ("routes", "records", "conflicts"):
        return " ".join(value)
    if name == "suppliers":
        return "; ".join(s["name"] for s in value)
    if name == "supplier_keys":
        return "; ".join(s["key"] for s in row["suppliers"])
    if name == "sources":
        return json.dumps(value, sort_keys=True)
    return value


def csv_fields(by_record: bool) -> list[str]:
    """The columns of the rows part of the CSV: ROW_FIELDS with the supplier keys beside their
    names, and for matters the matter's records and the terms its sources disagree on."""
    fields = list(ROW_FIELDS)
    fields.insert(fields.index("suppliers") + 1, "supplier_keys")
    return fields if by_record else [*fields, "records", "conflicts"]


def write_csv(result: dict, out: IO[str]) -> None:
    """A contracts() result as CSV: the rows, a blank line, then the groups (headed by the grouping)."""
    writer = csv.writer(out, lineterminator="\n")
    fields = csv_fields(bool(result.get("by_record")))
    writer.writerow(fields)
    for row in result["rows"]:
        writer.writerow([csv_cell(row, f) for f in fields])
    out.write("\n")
    group_fields = GROUP_FIELDS + (("label",) if result["group_by"] in ("category", "supplier") else ())
    writer.writerow((result["group_by"],) + group_fields[1:])
    for group in result["groups"]:
        writer.writerow([group[f] for f in group_fields])
