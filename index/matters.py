"""Matters: the records about one decision, joined into one contract row.

A council publishes one decision many times: ModernGov links the decision record, its issue page,
the agenda item, the report PDFs of that item and the minutes. Counting each page as a contract
would count the contract several times in every median, so the contracts table, the supplier
list, the web pages and the OCDS export all read matters from here.

Records join a matter when they share a platform id (decision, issue or agenda item, read off the
crawled page and its links, see ``page_links``), or the same council, normalised title and
decision date. A meeting-level page (the minutes of a whole meeting) joins the matter of its
meeting only when that meeting has exactly one: with several, nothing says which it is about.

Each term of a matter comes from its best source (a decision record over a report over an agenda
item, issue page or minutes), with the record and offsets it was read from; a matter whose
sources state different values for a term lists that term in ``conflicts``.
"""

from __future__ import annotations

import html
import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from index.contracts import LINK_FIELDS, ROW_FIELDS, json_field
from papers.urls import classify

# Lower is better: where a term is taken from when several records of a matter state it.
SOURCE_RANK = {
    "decision_details": 0,
    "issue_decisions": 0,
    "report": 1,
    "agenda_item": 2,
    "issue_details": 2,
    "issue_meetings": 2,
    "minutes": 3,
    "meeting": 3,
}
WORST_RANK = 4
LINK_IDS = ("decision", "issue", "item")
MEETING_PAGES = ("minutes", "meeting")  # one page for a whole meeting: its links name many matters
# Links a decision or issue page makes to the other pages of the same decision. Agenda item links
# are left out: item pages link their neighbours on the agenda.
_LINK = re.compile(
    r"(?i)\b(mgIssueHistoryHome|ieIssueDetails|mgDecisionDetails|ieDecisionDetails)\.aspx\?([^\"'\s<>#]+)"
)
_WORD = re.compile(r"[^\W_]+")
# Titles made of these words (and numbers) alone name no particular decision.
_GENERIC_TITLE_WORDS = frozenset(
    "a an and of the to for on decision decisions details detail issue agenda item items minutes report "
    "reports cabinet meeting appendix appendices annex record delegated officer officers executive key "
    "council committee board update".split()
)
# A matter's terms: the row fields each term carries, from one source.
TERM_FIELDS: dict[str, tuple[str, ...]] = {
    "value": ("annual_value", "total_value", "annualised_by"),
    "term": ("term_months",),
    "extension": ("extension_months",),
    "start_date": ("start_date",),
    "end_date": ("end_date",),
    "route": ("procurement_method", "routes"),
    "category": ("category_id", "category_description"),
}
# Fields with no span of their own: the first source that states them.
PLAIN_FIELDS = ("council_name", "title", "decision_maker", "decision_date", "url", "max_extent_date")
# Where two sources disagree: (term, the field compared).
COMPARED = (
    ("value", "annual_value"),
    ("value", "total_value"),
    ("term", "term_months"),
    ("extension", "extension_months"),
    ("start_date", "start_date"),
    ("end_date", "end_date"),
    ("category", "category_id"),
)
# What grouping and ordering matters need of each table row (merge without detail): all but
# the fields only a listed row shows.
_LISTED_ONLY = frozenset(
    "council_name extension_months start_date end_date procurement_method url max_extent_date sources".split()
)
LIGHT_FIELDS = tuple(f for f in ROW_FIELDS if f not in _LISTED_ONLY) + LINK_FIELDS
SUPPLIER_FIELDS = (
    "key",
    "name",
    "councils",
    "matters",
    "total_value",
    "annual_value",
    "first_decision",
    "last_decision",
)


def page_links(page_type: str, platform_ids: dict[str, str], body: str) -> tuple[str, str | None]:
    """(links, meeting) of a crawled page, as the contracts table keeps them for its records.

    ``links`` are the decision, issue and item ids the page has, plus the decision and issue
    pages it links to (none for a page that stands for a whole meeting); ``meeting`` is the
    meeting the page belongs to, if it says.
    """
    ids = {f"{k}:{v}" for k, v in platform_ids.items() if k in LINK_IDS and v}
    if page_type not in MEETING_PAGES and (ids or platform_ids):
        for page, query in _LINK.findall(body or ""):
            _, linked = classify(f"https://x/{page}.aspx?{html.unescape(query)}")
            ids.update(f"{k}:{v}" for k, v in linked.items() if k in LINK_IDS)
    return " ".join(sorted(ids)), platform_ids.get("meeting") or None


def title_key(title: str | None) -> str | None:
    """A title as the words that identify a decision, or None for a title that names none."""
    words = _WORD.findall((title or "").lower())
    if not any(w not in _GENERIC_TITLE_WORDS and not w.isdigit() for w in words):
        return None
    while words and words[0].isdigit():  # "11. Grounds maintenance": the agenda's numbering
        words.pop(0)
    return " ".join(words)


class _Union:
    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, a: int, b: int) -> None:
        self.parent[self.find(a)] = self.find(b)


def group(rows: list[dict]) -> list[list[dict]]:
    """The rows (contract-table rows with LINK_FIELDS) in matters, each matter's rows together."""
    union = _Union(len(rows))
    owner: dict[str, int] = {}
    for i, row in enumerate(rows):
        council = row["council"] or ""
        tokens = [f"{council}|{link}" for link in (row.get("links") or "").split()]
        if row["decision_date"] and (title := title_key(row["title"])):
            tokens.append(f"{council}|title|{title}|{row['decision_date']}")
        for token in tokens:
            if token in owner:
                union.join(i, owner[token])
            else:
                owner[token] = i
    in_meeting: dict[tuple, set[int]] = defaultdict(set)
    for i, row in enumerate(rows):
        if row.get("links") and row.get("meeting"):
            in_meeting[(row["council"], row["meeting"])].add(union.find(i))
    for i, row in enumerate(rows):
        matters = in_meeting.get((row["council"], row.get("meeting"))) if not row.get("links") else None
        if matters and len(matters) == 1:
            union.join(i, next(iter(matters)))
    members: dict[int, list[dict]] = defaultdict(list)
    for i, row in enumerate(rows):
        members[union.find(i)].append(row)
    return list(members.values())


def _rank(row: dict) -> tuple:
    return (SOURCE_RANK.get(row["page_type"], WORST_RANK), row["id"])


def _differ(values: Iterable) -> bool:
    """More than one distinct value, numbers equal within 0.5% (rounding in the papers)."""
    distinct: list = []
    for v in values:
        if v is None:
            continue
        if isinstance(v, float):
            if not any(abs(v - d) <= 0.005 * max(abs(v), abs(d)) for d in distinct):
                distinct.append(v)
        elif v not in distinct:
            distinct.append(v)
    return len(distinct) > 1


def _stated(row: dict, fields: tuple[str, ...]) -> bool:
    for f in fields:
        if row[f] is not None and row[f] != []:
            return True
    return False


def _conflicts(members: list[dict]) -> list[str]:
    """The terms the members state differently (values, dates, category, supplier sets)."""
    conflicts = {term for term, field in COMPARED if _differ(m.get(field) for m in members)}
    keys = {frozenset(s["key"] for s in json_field(m, "suppliers")) for m in members}
    if len(keys - {frozenset()}) > 1:
        conflicts.add("suppliers")
    return sorted(conflicts)


def _single(m: dict, detail: bool) -> dict:
    """merge() of a one-record matter, short: most matters are one record."""
    if not detail:
        json_field(m, "suppliers")
        m.update(records=[m["id"]], conflicts=[])
        return m
    row = {name: m[name] or None if name in PLAIN_FIELDS else m[name] for name in ROW_FIELDS}
    row["suppliers"] = json_field(m, "suppliers")
    stored = json_field(m, "sources")
    row["sources"] = {
        term: stored.get(term) or {"record": m["id"]}
        for term, fields in TERM_FIELDS.items()
        if _stated(m, fields)
    }
    row.update(records=[m["id"]], conflicts=[])
    return row


def merge(members: list[dict], detail: bool = True) -> dict:
    """One matter row: ROW_FIELDS from the best sources, plus its ``records`` and ``conflicts``.

    Without ``detail``, a row for groups and ordering only: the fields the members have
    (LIGHT_FIELDS will do), no ``sources``, and a one-record matter is its record's row itself.
    Most matters are one record: plain loops rather than generators keep 40,000 of them cheap.
    """
    if len(members) == 1:  # nothing to choose between: the record's row as it is
        return _single(members[0], detail)
    ordered = sorted(members, key=_rank)
    row = {name: ordered[0][name] for name in ROW_FIELDS if name in ordered[0]}
    for name in PLAIN_FIELDS:
        if name in row and not row[name]:
            row[name] = None
            for m in ordered:
                if m[name]:
                    row[name] = m[name]
                    break
    sources: dict[str, dict] = {}
    for term, fields in TERM_FIELDS.items():
        if fields[0] not in row:
            continue
        for m in ordered:
            if _stated(m, fields):
                for f in fields:
                    row[f] = m[f]
                if detail:
                    sources[term] = json_field(m, "sources").get(term) or {"record": m["id"]}
                break
    row["suppliers"] = []
    for m in ordered:
        if json_field(m, "suppliers"):
            row["suppliers"] = m["suppliers"]
            break
    if row["annual_value"] is None and row["total_value"] is not None and row["term_months"]:
        # The annual value is worked out once per matter: a total from one page over the term of another.
        row["annual_value"] = round(row["total_value"] * 12 / row["term_months"], 2)
        row["annualised_by"] = "total_over_term"
    if detail:
        row["sources"] = sources
    row["records"] = [m["id"] for m in ordered]
    row["conflicts"] = _conflicts(members)
    return row


def matter_rows(rows: list[dict], matching: set[str] | None = None, detail: bool = True) -> list[dict]:
    """Matter rows for contract-table rows, in the table's order (council, date, title, id); with
    ``matching``, only the matters one of whose records is in it. (``detail``: see merge.)"""
    merged = [
        merge(members, detail)
        for members in group(rows)
        if matching is None or any(m["id"] in matching for m in members)
    ]
    merged.sort(key=lambda r: (r["council"] or "", r["decision_date"] or "", r["title"] or "", r["id"]))
    return merged


def detailed(light: list[dict], rows: list[dict]) -> list[dict]:
    """Rows of matter_rows(..., detail=False) merged again in full from the table's rows of their
    records (a record deleted since the light rows were made is left out)."""
    by_id = {r["id"]: r for r in rows}
    members = ([by_id[i] for i in matter["records"] if i in by_id] for matter in light)
    return [merge(m) for m in members if m]


def supplier_rows(matters: Iterable[dict]) -> list[dict]:
    """One row per supplier key over these matters: its commonest name, councils, how many matters,
    the sum of their known total and annual values, first and last decision dates."""
    names: dict[str, Counter] = defaultdict(Counter)
    found: dict[str, dict] = {}
    for matter in matters:
        for supplier in matter["suppliers"]:
            key = supplier["key"]
            names[key][supplier["name"]] += 1
            row = found.setdefault(
                key,
                {
                    "key": key,
                    "councils": set(),
                    "matters": 0,
                    "total_value": None,
                    "annual_value": None,
                    "dates": [],
                },
            )
            row["matters"] += 1
            if matter["council"]:
                row["councils"].add(matter["council"])
            for field in ("total_value", "annual_value"):
                if matter[field] is not None:
                    row[field] = (row[field] or 0.0) + matter[field]
            if matter["decision_date"]:
                row["dates"].append(matter["decision_date"])
    out = []
    for key, row in found.items():
        dates = sorted(row.pop("dates"))
        out.append(
            {
                **row,
                "name": names[key].most_common(1)[0][0],
                "councils": sorted(row["councils"]),
                "first_decision": dates[0] if dates else None,
                "last_decision": dates[-1] if dates else None,
            }
        )
    out.sort(key=lambda r: (-r["matters"], r["key"]))
    return [{name: r[name] for name in SUPPLIER_FIELDS} for r in out]
