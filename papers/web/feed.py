"""An Atom feed of a query's newest matches, so a researcher can follow a search in a feed reader."""

from __future__ import annotations

import html
import re

from index import service
from index.store import now_iso
from papers import atom
from papers.settings import Settings
from papers.web.urls import http_url, record_href, search_url

WINDOW_HITS = 500  # matches read from the newest years before sorting them by date
_TAG = re.compile(r"<[^>]*>")


def newest(settings: Settings, q: str, n: int) -> list[dict]:
    """The query's n matches with the latest decision dates (QueryError for a malformed query).

    The engine ranks by relevance, so the query's own year facet picks the fewest recent years
    that hold n matches; only that window is fetched and sorted by date. Matches without a
    decision date cannot be placed in time and are left out.
    """
    years = service.search(settings, q, limit=0)["facets"].get("year") or {}
    since, total = None, 0
    for year in sorted(years, key=int, reverse=True):
        since, total = year, total + years[year]
        if total >= n:
            break
    if since is None:
        return []
    window = f"{q.strip()} after:{since}".strip()
    hits = service.search(settings, window, limit=min(total, WINDOW_HITS))["hits"]
    hits.sort(key=lambda h: (h.get("decision_date") or "", h["id"]), reverse=True)
    return hits[:n]


def _stamp(date: str | None) -> str:
    """A hit's decision date, or now for a hit without one (Atom requires every entry dated)."""
    return f"{date[:10]}T00:00:00Z" if date and len(date) >= 10 else now_iso()


def _entry(hit: dict, base: str) -> atom.Entry:
    page = base + record_href(hit["id"])
    links = [atom.Link(page, type="text/html")]
    if http_url(hit.get("url")):
        links.append(atom.Link(hit["url"], rel="related", title="council source"))
    council = hit.get("council")
    summary = html.unescape(_TAG.sub("", hit.get("snippet") or ""))
    where = " · ".join(filter(None, [hit.get("council_name") or council, hit.get("decision_date")]))
    return atom.Entry(
        id=page,
        title=hit.get("title") or hit["id"],
        updated=_stamp(hit.get("decision_date")),
        links=links,
        categories=[atom.Category(council, hit.get("council_name") or council)] if council else [],
        summary=f"{where}: {summary}" if where else summary,
    )


def atom_feed(q: str, hits: list[dict], base_url: str, self_url: str) -> bytes:
    """The feed document (papers/atom.py escapes every string)."""
    base = base_url.rstrip("/")
    return atom.feed(
        title=f"committee-papers: {q.strip() or 'all decisions'}",
        id=self_url,
        updated=max((_stamp(h.get("decision_date")) for h in hits), default=now_iso()),
        entries=[_entry(h, base) for h in hits],
        subtitle="Newest council decisions matching this search",
        links=[
            atom.Link(self_url, rel="self", type="application/atom+xml"),
            atom.Link(base + search_url(q), type="text/html"),
        ],
    )
