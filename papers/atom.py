"""Atom 1.0 documents (RFC 4287): the one builder behind every feed the project writes.

The web's per-query feed (papers/web/feed.py) and the saved searches' feeds
(papers/pipeline/watches.py) both carry council text, which may hold markup, ampersands or
control characters. Every string goes through ElementTree's escaping here, and characters that
XML 1.0 forbids are dropped, so a hostile title is text in a well-formed document, never markup.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

ATOM = "http://www.w3.org/2005/Atom"
GENERATOR = "committee-papers"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # characters XML 1.0 forbids

When = str | dt.date | dt.datetime


@dataclass(frozen=True)
class Link:
    href: str
    rel: str = "alternate"
    type: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class Category:
    term: str
    label: str | None = None


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    updated: When
    links: Sequence[Link] = ()
    categories: Sequence[Category] = ()
    summary: str | None = None
    summary_type: str = "text"  # "html" when the summary is an HTML fragment (e.g. a snippet)


def rfc3339(when: When) -> str:
    """A date or time as RFC 3339 in UTC (2024-03-01T00:00:00Z); a bare date is its midnight UTC.

    Strings are ISO dates or timestamps ("2024-03-01", "2024-03-01T02:10:00Z"); anything else
    raises ValueError rather than putting an unreadable date in a feed.
    """
    if isinstance(when, str):
        # Python 3.10's fromisoformat does not read a trailing Z (the project's own stamps).
        when = dt.datetime.fromisoformat(when[:-1] + "+00:00" if when.endswith("Z") else when)
    if not isinstance(when, dt.datetime):
        when = dt.datetime(when.year, when.month, when.day)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _clean(value: object) -> str:
    return _NOT_XML.sub("", str(value))


def _add(parent: ET.Element, tag: str, text: object = None, **attrs: object) -> ET.Element:
    kept = {k: _clean(v) for k, v in attrs.items() if v is not None}
    el = ET.SubElement(parent, tag, kept)
    if text is not None:
        el.text = _clean(text)
    return el


def _links(parent: ET.Element, links: Iterable[Link]) -> None:
    for link in links:
        _add(parent, "link", href=link.href, rel=link.rel, type=link.type, title=link.title)


def feed(
    title: str,
    id: str,
    updated: When,
    entries: Iterable[Entry],
    *,
    subtitle: str | None = None,
    links: Sequence[Link] = (),
    author: str = GENERATOR,
) -> bytes:
    """The feed document as UTF-8 bytes with an XML declaration."""
    root = ET.Element("feed", xmlns=ATOM)  # a default namespace, declared once
    _add(root, "id", id)
    _add(root, "title", title)
    if subtitle is not None:
        _add(root, "subtitle", subtitle)
    _links(root, links)
    _add(root, "updated", rfc3339(updated))
    _add(_add(root, "author"), "name", author)
    _add(root, "generator", GENERATOR)
    for entry in entries:
        el = _add(root, "entry")
        _add(el, "id", entry.id)
        _add(el, "title", entry.title)
        _add(el, "updated", rfc3339(entry.updated))
        _links(el, entry.links)
        for category in entry.categories:
            _add(el, "category", term=category.term, label=category.label)
        if entry.summary is not None:
            _add(el, "summary", entry.summary, type=entry.summary_type)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
