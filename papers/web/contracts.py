"""The contracts comparison as the page shows it, and the same table as CSV/JSON downloads.

One function builds the table for the page and for both downloads, so a download always holds
exactly the rows and groups on screen (including the cut at MAX_CONTRACT_ROWS).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from markupsafe import Markup, escape

from index import service
from index.contracts import GROUP_BY, ROW_FIELDS, UNKNOWN_GROUP
from papers.settings import Settings
from papers.web import chart
from papers.web.councils import council_names
from papers.web.fmt import gbp, label, months
from papers.web.limits import MAX_CONTRACT_ROWS
from papers.web.urls import http_url, record_href

# What the page's rows table shows, in order (the downloads carry every field in ROW_FIELDS).
COLUMNS = ("council", "title", "decision_date", "annual_value", "total_value", "term_months",
           "extension_months", "start_date", "end_date", "routes", "url")


@dataclass
class ContractsTable:
    q: str
    group_by: str
    rows: list[dict]
    groups: list[dict]
    total: int  # rows the query matched before the cut

    columns = COLUMNS

    @property
    def truncated(self) -> bool:
        return self.total > len(self.rows)

    def to_dict(self) -> dict:
        return {"query": self.q, "group_by": self.group_by, "total": self.total,
                "truncated": self.truncated, "rows": self.rows, "groups": self.groups}

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(ROW_FIELDS)
        for row in self.rows:
            writer.writerow([_csv_value(row.get(f)) for f in ROW_FIELDS])
        return out.getvalue()

    def chart_groups(self) -> list[chart.Group]:
        """Box over strip per group; groups ordered by their median, largest first."""
        groups = []
        for g in self.groups:
            points = [chart.Point(r["annual_value"], record_href(r["id"]),
                                  f"{r.get('title') or r['id']} — {gbp(r['annual_value'])} a year")
                      for r in self.rows if r.get("annual_value") is not None and g["group"] in _keys(r, self.group_by)]
            groups.append(chart.Group(self.group_label(g["group"]), g["count"], points,
                                      g.get("q1"), g.get("median"), g.get("q3")))
        groups.sort(key=lambda c: -(c.median or 0))
        return groups

    def group_label(self, key: str) -> str:
        if self.group_by == "council":
            return council_names().get(key, key)
        return label(key) if self.group_by == "route" else key


def build(settings: Settings, q: str, group_by: str) -> ContractsTable:
    """The comparison for a query (QueryError propagates) cut to what one page can show."""
    if group_by not in GROUP_BY:
        raise ValueError(f"group_by must be one of {', '.join(GROUP_BY)}")
    result = service.contracts(settings, q or None, group_by=group_by)
    rows = result["rows"]
    return ContractsTable(q, group_by, rows[:MAX_CONTRACT_ROWS], result["groups"], len(rows))


def _keys(row: dict, group_by: str) -> list[str]:
    """The groups a row falls in, as index/contracts.py groups them."""
    if group_by == "route":
        return _routes(row) or [UNKNOWN_GROUP]
    if group_by == "year":
        return [row["decision_date"][:4]] if row.get("decision_date") else [UNKNOWN_GROUP]
    return [row.get("council" if group_by == "council" else "decision_maker") or UNKNOWN_GROUP]


def _routes(row: dict) -> list[str]:
    routes = row.get("routes") or []
    return routes.split() if isinstance(routes, str) else list(routes)


def _csv_value(value: object) -> object:
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value)
    return "" if value is None else value


def cell(row: dict, column: str) -> Markup | str:
    """One cell of the rows table, formatted and escaped."""
    value = row.get(column)
    if column == "title":
        return Markup(f'<a href="{escape(record_href(row["id"]))}">{escape(value or row["id"])}</a>')
    if column == "url":
        url = http_url(value)
        return Markup(f'<a href="{escape(url)}" rel="noopener noreferrer">source</a>') if url else ""
    if column == "council":
        return council_names().get(value or "", value or "")
    if column in ("annual_value", "total_value"):
        return gbp(value)
    if column in ("term_months", "extension_months"):
        return months(value)
    if column == "routes":
        return ", ".join(label(r) for r in _routes(row))
    return "" if value is None else str(value)
