"""Parsers for CMIS pages: pure functions, text in, dicts out (as crawlers/parsers.py for ModernGov).

CMIS (Civica's older committee system) runs as a module of a DotNetNuke site: every view is one
`Default.aspx` reached in DNN's path form, `.../tabid/70/ctl/<View>/mid/397/<Key>/<Value>/...`.
The calendar, meeting summary and documents list are parsed as in the real captures kept in
tests/fixtures/cmis (markup as LGSF saved it); agenda items are found by their permalink
(`ctl/ViewCMIS_DecisionDetails/.../Id/<guid>`), whatever markup surrounds the link.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from urllib.parse import urljoin

from parsel import Selector

from crawlers.parsers import _text

# "Monday, 8 June": the calendar's day heading; the year is the month asked for (some installs
# repeat it, "Monday, 8 June 2026").
DAY_RE = re.compile(r"^\w+day,\s+(\d{1,2})\s+([A-Za-z]+)(?:\s+(\d{4}))?$")
# "10:00 Licensing Sub-Committee A": a calendar entry, time first where the install shows one.
ENTRY_RE = re.compile(r"^(?:(\d{1,2}[:.]\d{2})\s+)?(.+)$")
MEETING_LINK_RE = re.compile(r"/Meeting/(\d+)/Committee/(\d+)/", re.I)
ITEM_LINK_RE = re.compile(r"/ctl/ViewCMIS_DecisionDetails/mid/\d+/Id/([0-9A-Fa-f-]{36})/", re.I)
# The documents list pages by postback: `javascript:__doPostBack('target','Page$2')`.
POSTBACK_RE = re.compile(r"__doPostBack\('([^']+)','([^']*)'\)")
SUMMARY_DATE_RE = re.compile(r"(\d{1,2})\s+([A-Za-z]{3,9})\s+(\d{4})")
FILE_SIZE_RE = re.compile(r"\s*\(\s*\d+(?:\.\d+)?\s*[KMG]b\s*\)\s*$", re.I)


def _month_date(day: str, month: str, year: str | int) -> date | None:
    for fmt in ("%d %B %Y", "%d %b %Y"):
        try:
            return datetime.strptime(f"{day} {month} {year}", fmt).date()
        except ValueError:
            continue
    return None


def parse_calendar_month(html: str, base_url: str, month: date) -> list[dict]:
    """A month of the meetings calendar: [{url, meeting, committee_id, committee, date, time}].

    Each day heading cell (`td.SimpleCalendarDate`) is followed by a cell with one link per
    meeting that day; days without meetings have an empty cell.
    """
    rows = []
    for cell in Selector(text=html).css("td.SimpleCalendarDate"):
        m = DAY_RE.match(_text(cell))
        when = _month_date(m.group(1), m.group(2), m.group(3) or month.year) if m else None
        if when is None:
            continue
        for a in cell.xpath("following-sibling::td[1]//a[@href]"):
            link = MEETING_LINK_RE.search(a.attrib["href"])
            entry = ENTRY_RE.match(_text(a))
            if not link or not entry:
                continue
            rows.append(
                {
                    "url": urljoin(base_url, a.attrib["href"]),
                    "meeting": link.group(1),
                    "committee_id": link.group(2),
                    "committee": entry.group(2).strip(),
                    "date": when.isoformat(),
                    "time": entry.group(1),
                }
            )
    return rows


def is_calendar(html: str) -> bool:
    """True when the page is the month calendar: every month has its day cells, meetings or not."""
    return bool(Selector(text=html).css("td.SimpleCalendarDate"))


def parse_summary(html: str) -> dict[str, str]:
    """The meeting summary block as {label: value} ("Committee", "Date/Time", "Status", "Venue").

    Labels identify the fields: the classes do not (the status is marked up as a venue).
    """
    out: dict[str, str] = {}
    for holder in Selector(text=html).css("div.holder"):
        label = holder.xpath("./div[contains(@class, 'DNNLabel')]")
        value = holder.xpath("./div[contains(concat(' ', @class, ' '), ' Value ')]")
        if label and value:
            out.setdefault(_text(label[0]).rstrip(": ").strip(), _text(value[0]))
    return out


def summary_date(value: str | None) -> str | None:
    """ "3 Aug 2026 - 10:00" (or "3 August 2026") as ISO YYYY-MM-DD."""
    m = SUMMARY_DATE_RE.search(value or "")
    when = _month_date(*m.groups()) if m else None
    return when.isoformat() if when else None


def parse_documents(html: str, base_url: str) -> list[dict]:
    """The documents a page lists (`li.DocumentListItem a.TitleLink`): [{url, title}], absolute,
    once each, titles without their file size."""
    out, seen = [], set()
    for a in Selector(text=html).css("li.DocumentListItem a.TitleLink[href]"):
        url = urljoin(base_url, a.attrib["href"])
        if url not in seen:
            seen.add(url)
            out.append({"url": url, "title": FILE_SIZE_RE.sub("", _text(a)) or None})
    return out


def parse_agenda_items(html: str, base_url: str) -> list[dict]:
    """Agenda items a meeting page links: [{url, id (guid), title}], in page order."""
    out, seen = [], set()
    for a in Selector(text=html).xpath("//a[@href]"):
        m = ITEM_LINK_RE.search(a.attrib["href"])
        if m and m.group(1).lower() not in seen:
            seen.add(m.group(1).lower())
            out.append(
                {"url": urljoin(base_url, a.attrib["href"]), "id": m.group(1).lower(), "title": _text(a)}
            )
    return out


def parse_postbacks(html: str) -> list[tuple[str, str]]:
    """(event target, argument) of the documents list's other pages, once each, in page order.

    The current page is a plain span, not a link, so only the pages still to ask for are here.
    """
    found = POSTBACK_RE.findall(" ".join(Selector(text=html).xpath("//a/@href").getall()))
    return list(dict.fromkeys((t, arg) for t, arg in found if arg.startswith("Page$")))


def parse_item(html: str, base_url: str) -> dict:
    """An agenda item page: {title, labels {label: value}, committee, date, decision_maker,
    attachments [{url, title}], meeting_url}."""
    sel = Selector(text=html)
    root = sel.css("div.ModCMISMeetingsC, div.ModCMISDecisionsC") or sel
    labels = parse_summary(root[0].get() if root else html)
    meeting = next(
        (urljoin(base_url, h) for h in root.xpath(".//a/@href").getall() if MEETING_LINK_RE.search(h)), None
    )
    return {
        "title": _text(root.css(".ItemTitle")[:1]) or _text(root.css("h1")[:1]) or None,
        "labels": labels,
        "committee": labels.get("Committee") or None,
        "date": summary_date(
            labels.get("Date of decision") or labels.get("Meeting date") or labels.get("Date/Time")
        ),
        "decision_maker": labels.get("Decision maker") or labels.get("Committee") or None,
        "attachments": parse_documents(html, base_url),
        "meeting_url": meeting,
    }


def parse_form(html: str, base_url: str, form_id: str) -> tuple[str, dict[str, str]] | None:
    """(action URL, hidden fields) of the page's WebForms form — what a postback sends back
    (__VIEWSTATE, __EVENTVALIDATION, ...) — or None when the page has no such form."""
    form = Selector(text=html).xpath(f"//form[@id='{form_id}']")
    if not form:
        return None
    fields = {
        i.attrib["name"]: i.attrib.get("value", "") for i in form.xpath(".//input[@type='hidden'][@name]")
    }
    return urljoin(base_url, form[0].attrib.get("action") or base_url), fields
