"""An Atom feed of a query's newest matches, so a researcher can follow a search in a feed reader."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET

from index import service
from index.store import now_iso
from papers.settings import Settings
from papers.web.urls import http_url, record_href, search_url

ATOM = "http://www.w3.org/2005/Atom"
WINDOW_HITS = 500  # matches read from the newest years before sorting them by date
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # characters XML 1.0 forbids
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


def _text(value: object) -> str:
    return _NOT_XML.sub("", str(value))


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", {k: _text(v) for k, v in attrs.items()})
    if text is not None:
        el.text = _text(text)
    return el


def _stamp(date: str | None) -> str:
    return f"{date[:10]}T00:00:00Z" if date and len(date) >= 10 else now_iso()


def atom(q: str, hits: list[dict], base_url: str, self_url: str) -> bytes:
    """The feed document; every string passes through the XML serialiser's escaping."""
    base = base_url.rstrip("/")
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _add(feed, "title", f"committee-papers: {q.strip() or 'all decisions'}")
    _add(feed, "subtitle", "Newest council decisions matching this search")
    _add(feed, "id", self_url)
    _add(feed, "link", rel="self", href=self_url, type="application/atom+xml")
    _add(feed, "link", rel="alternate", href=base + search_url(q), type="text/html")
    _add(feed, "updated", max((_stamp(h.get("decision_date")) for h in hits), default=now_iso()))
    author = _add(feed, "author")
    _add(author, "name", "committee-papers")
    _add(feed, "generator", "committee-papers")
    for hit in hits:
        entry = _add(feed, "entry")
        page = base + record_href(hit["id"])
        _add(entry, "title", hit.get("title") or hit["id"])
        _add(entry, "id", page)
        _add(entry, "link", rel="alternate", href=page, type="text/html")
        if http_url(hit.get("url")):
            _add(entry, "link", rel="related", href=hit["url"], title="council source")
        _add(entry, "updated", _stamp(hit.get("decision_date")))
        if hit.get("council"):
            _add(entry, "category", term=hit["council"], label=hit.get("council_name") or hit["council"])
        summary = html.unescape(_TAG.sub("", hit.get("snippet") or ""))
        where = " · ".join(
            filter(None, [hit.get("council_name") or hit.get("council"), hit.get("decision_date")])
        )
        _add(entry, "summary", f"{where}: {summary}" if where else summary)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
