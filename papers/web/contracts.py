"""The contracts comparison as the page shows it, and the same table as CSV/JSON downloads.

One function builds the table for the page and for both downloads, so a download always holds
exactly the rows and groups on screen (including the cut at MAX_CONTRACT_ROWS).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from markupsafe import Markup, escape

from index import service
from index.contracts import GROUP_BY, summarise, write_csv
from papers.settings import Settings
from papers.web import chart
from papers.web.councils import registry_names
from papers.web.fmt import gbp, label
from papers.web.limits import MAX_CONTRACT_ROWS
from papers.web.urls import http_url, record_href, supplier_href

TITLE_CHARS = 100  # some papers' "titles" are whole paragraphs; the full text is in the tooltip
# What the page's rows table shows, in order (the downloads carry every field in ROW_FIELDS).
COLUMNS = (
    "council",
    "title",
    "decision_date",
    "annual_value",
    "total_value",
    "term_months",
    "extension_months",
    "start_date",
    "end_date",
    "routes",
    "suppliers",
    "category_id",
    "url",
)


@dataclass
class ContractsTable:
    q: str
    group_by: str
    rows: list[dict]
    groups: list[dict]
    total: int  # rows the query matched before the cut
    by_record: bool = False  # one row per record rather than per matter

    def __post_init__(self) -> None:
        self._council_names = {r["council"]: r["council_name"] for r in self.rows if r.get("council_name")}
        self._labels = {g["group"]: g["label"] for g in self.groups if g.get("label")}

    @property
    def columns(self) -> tuple[str, ...]:
        """Matter rows say which terms their sources state differently."""
        return COLUMNS if self.by_record else (*COLUMNS[:-1], "conflicts", COLUMNS[-1])

    @property
    def truncated(self) -> bool:
        return self.total > len(self.rows)

    def to_dict(self) -> dict:
        return {
            "query": self.q,
            "group_by": self.group_by,
            "by_record": self.by_record,
            "total": self.total,
            "truncated": self.truncated,
            "rows": self.rows,
            "groups": self.groups,
        }

    def to_csv(self) -> str:
        """What `papers contracts --csv` prints, written by the same function, for the rows shown."""
        out = io.StringIO()
        write_csv(self.to_dict(), out)
        return out.getvalue()

    def chart_groups(self) -> list[chart.Group]:
        """Box over strip per group; groups ordered by their median, largest first."""
        points: dict[str, list[chart.Point]] = {}
        for r in self.rows:
            if r.get("annual_value") is None:
                continue
            point = chart.Point(
                r["annual_value"],
                record_href(r["id"]),
                f"{r.get('title') or r['id']} — {gbp(r['annual_value'])} a year",
            )
            for key in _keys(r, self.group_by):
                points.setdefault(key, []).append(point)
        groups = [
            chart.Group(
                self.group_label(g["group"]),
                g["count"],
                points.get(g["group"], []),
                g.get("q1"),
                g.get("median"),
                g.get("q3"),
            )
            for g in self.groups
        ]
        groups.sort(key=lambda c: -(c.median or 0))
        return groups

    def group_label(self, key: str) -> str:
        if self.group_by == "council":
            return self._council_names.get(key) or registry_names().get(key, key)
        if key in self._labels:  # a supplier's name, a CPV code's description
            return self._labels[key] if self.group_by == "supplier" else f"{key} {self._labels[key]}"
        return label(key) if self.group_by == "route" else key


def build(settings: Settings, q: str, group_by: str, by_record: bool = False) -> ContractsTable:
    """The comparison for a query (QueryError propagates) cut to what one page can show."""
    if group_by not in GROUP_BY:
        raise ValueError(f"group_by must be one of {', '.join(GROUP_BY)}")
    result = service.contracts(settings, q or None, group_by=group_by, by_record=by_record)
    rows = result["rows"]
    return ContractsTable(q, group_by, rows[:MAX_CONTRACT_ROWS], result["groups"], len(rows), by_record)


def _keys(row: dict, group_by: str) -> set[str]:
    """The groups a row falls in, exactly as index/contracts.py groups them."""
    return {g["group"] for g in summarise([row], group_by)}


def _routes(row: dict) -> list[str]:
    routes = row.get("routes") or []
    return routes.split() if isinstance(routes, str) else list(routes)


def cell(row: dict, column: str) -> Markup | str:
    """One cell of the rows table, formatted and escaped."""
    value = row.get(column)
    if column == "title":
        title = value or row["id"]
        short = title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1].rstrip() + "…"
        return Markup(
            f'<a href="{escape(record_href(row["id"]))}" title="{escape(title)}">{escape(short)}</a>'
        )
    if column == "url":
        url = http_url(value)
        return Markup(f'<a href="{escape(url)}" rel="noopener noreferrer">source</a>') if url else ""
    if column == "council":
        return row.get("council_name") or registry_names().get(value or "", value or "")
    if column in ("annual_value", "total_value"):
        return gbp(value)
    if column in ("term_months", "extension_months"):
        return "" if value is None else f"{value:g}"
    if column == "routes":
        return ", ".join(label(r) for r in _routes(row))
    if column == "suppliers":
        return Markup("; ").join(
            Markup(f'<a href="{escape(supplier_href(s["key"]))}">{escape(s["name"])}</a>')
            for s in value or []
        )
    if column == "category_id":
        description = row.get("category_description") or ""
        return Markup(f'<abbr title="{escape(description)}">{escape(value)}</abbr>') if value else ""
    if column == "conflicts":
        return ", ".join(label(t) for t in value or [])
    return "" if value is None else str(value)
