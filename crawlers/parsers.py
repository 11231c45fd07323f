"""Parsers for ModernGov pages and web-service answers: pure functions, text in, dicts out.

Each is tested on the real captures in tests/fixtures/moderngov (markup as LGSF saved it). Spiders
call these and never touch markup themselves, so a council that changes its templates breaks one
tested function, not a spider.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urljoin

from parsel import Selector

DMY_RE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
# Links to files a page carries: report documents, converted agenda packs, plain PDFs.
FILE_LINK_RE = re.compile(r"(^|/)documents/[sgbi]\d+/|mgConvert2PDF\.aspx|\.pdf($|\?)", re.I)
ISSUE_LINK_RE = re.compile(r"(mgIssueHistoryHome|ieIssueDetails|mgDecisionDetails)\.aspx\?", re.I)


def iso_date(text: str | None) -> str | None:
    """The first dd/mm/yyyy date in `text` as ISO YYYY-MM-DD (None if there is none)."""
    m = DMY_RE.search(text or "")
    if not m:
        return None
    try:
        return datetime(int(m.group(3)), int(m.group(2)), int(m.group(1))).date().isoformat()
    except ValueError:
        return None


def _text(sel: Selector | None) -> str:
    if sel is None:
        return ""
    return re.sub(r"\s+", " ", " ".join(sel.xpath(".//text()").getall())).strip()


def _bool(s: str | None) -> bool:
    return (s or "").strip().lower() == "true"


def _x(node: Selector, tag: str) -> str:
    return (node.xpath(f"string({tag})").get() or "").strip()


# -- web service (mgWebService.asmx) -------------------------------------------------------------


def parse_committees_xml(xml: str | bytes) -> list[dict]:
    """GetCommittees: [{id, title, expired, deleted}]."""
    sel = Selector(text=xml.decode("utf-8") if isinstance(xml, bytes) else xml, type="xml")
    return [
        {
            "id": _x(c, "committeeid"),
            "title": _x(c, "committeetitle"),
            "expired": _bool(_x(c, "committeeexpired")),
            "deleted": _bool(_x(c, "committeedeleted")),
        }
        for c in sel.xpath("//committee")
        if _x(c, "committeeid")
    ]


def parse_meetings_xml(xml: str | bytes) -> list[dict]:
    """GetMeetings: [{id, date (ISO), status, committee_id, committee}] for every committee listed."""
    sel = Selector(text=xml.decode("utf-8") if isinstance(xml, bytes) else xml, type="xml")
    out = []
    for c in sel.xpath("//committee"):
        for m in c.xpath(".//meeting"):
            out.append(
                {
                    "id": _x(m, "meetingid"),
                    "date": iso_date(_x(m, "meetingdate")),
                    "status": _x(m, "meetingstatus"),
                    "committee_id": _x(c, "committeeid"),
                    "committee": _x(c, "committeetitle"),
                }
            )
    return out


def parse_meeting_xml(xml: str | bytes) -> dict:
    """GetMeeting: the meeting and its agenda items with their linked documents.

    `agendatext` and `minutesnonemptyhtmlbody` arrive entity-encoded (sometimes twice); they are
    returned as plain text.
    """
    sel = Selector(text=xml.decode("utf-8") if isinstance(xml, bytes) else xml, type="xml")
    m = sel.xpath("/meeting")
    items = []
    for it in m.xpath("agendaitems/agendaitem"):
        docs = [
            {
                "id": _x(d, "attachmentid"),
                "title": _x(d, "title"),
                "url": _x(d, "url"),
                "published": iso_date(_x(d, "publicationdate")),
                "restricted": _bool(_x(d, "isrestricted")),
            }
            for d in it.xpath("linkeddocuments/linkeddoc")
        ]
        items.append(
            {
                "id": _x(it, "agendaitemid"),
                "title": _x(it, "agendaitemtitle"),
                "number": _x(it, "fulldisplaynumberformat") or _x(it, "agendaitemnumber"),
                "text": html_to_text(_x(it, "agendatext")),
                "minutes": html_to_text(_x(it, "minutesnonemptyhtmlbody")),
                "restricted": _bool(_x(it, "isrestricted")),
                "docs": docs,
            }
        )
    return {
        "id": _x(m, "meetingid"),
        "date": iso_date(_x(m, "meetingdate")),
        "status": _x(m, "meetingstatus"),
        "committee": _x(m, "committeetitle") or None,
        "items": items,
    }


def html_to_text(fragment: str) -> str:
    """Visible text of an HTML fragment, decoding the second layer of entities some councils add."""
    for _ in range(2):
        if "<" not in fragment and "&lt;" in fragment:
            fragment = Selector(text=f"<p>{fragment}</p>").xpath("string(//p)").get() or ""
    return _text(Selector(text=f"<div>{fragment}</div>")) if fragment.strip() else ""


# -- HTML pages ------------------------------------------------------------------------------------


def parse_decisions_list(html: str, base_url: str) -> list[dict]:
    """mgDelegatedDecisions listing rows: [{url, title, date (ISO), effective}] (absolute URLs).

    Rows may link issue histories as well as decisions (councils mix them): the URL says which.
    """
    sel = Selector(text=html)
    rows = []
    for tr in sel.css("table.mgTabTable tbody tr"):
        link = tr.css("td a[href]")
        if not link:
            continue
        cells = [_text(td) for td in tr.xpath("./td")]
        title = _text(link[0]).split(" ref: ")[0] if " ref: " in _text(link[0]) else _text(link[0])
        rows.append(
            {
                "url": urljoin(base_url, link[0].attrib["href"]),
                "title": title,
                "date": iso_date(cells[1]) if len(cells) > 1 else None,
                "effective": iso_date(cells[2]) if len(cells) > 2 else None,
            }
        )
    return rows


def parse_page(html: str, base_url: str) -> dict:
    """A ModernGov content page (decision details, issue, agenda item, meeting documents).

    Returns {heading, title, labels {label: value}, date, decision_maker, committee, meeting_url,
    attachments [{url, title}], issue_urls, item_urls}. `date` prefers the decision date, then the
    meeting the page was decided at, then the publication date.
    """
    sel = Selector(text=html)
    root = sel.css("#modgov") or sel
    labels: dict[str, str] = {}
    meeting_url = None
    for p in root.css("p"):
        label = p.css("span.mgLabel")
        if not label:
            continue
        key = _text(label[0]).rstrip(": ").strip()
        value = _text(p)[len(_text(label[0])) :].strip()
        labels.setdefault(key, value)
        if key in {"Decided at meeting", "Meeting"} and p.css("a[href]"):
            meeting_url = urljoin(base_url, p.css("a[href]")[0].attrib["href"])
    attachments, seen = [], set()
    for a in root.css("a[href]"):
        href = a.attrib["href"]
        if FILE_LINK_RE.search(href):
            url = urljoin(base_url, href)
            if url not in seen:
                seen.add(url)
                title = _text(a)
                size = _text(a.css("span.mgFileSize")[0]) if a.css("span.mgFileSize") else ""
                attachments.append({"url": url, "title": title.removesuffix(size).strip() or None})
    links = [urljoin(base_url, a.attrib["href"]) for a in root.css("a[href]")]
    meeting = labels.get("Decided at meeting") or labels.get("Meeting") or ""
    committee = meeting.split(" - ", 1)[1].split(" (Item")[0].strip() if " - " in meeting else None
    return {
        "heading": _text(root.css("h1.mgMainTitleTxt")[:1]) or None,
        "title": _text(root.css("h2.mgSubTitleTxt")[:1]) or None,
        "labels": labels,
        "date": iso_date(labels.get("Date of decision"))
        or iso_date(meeting)
        or iso_date(labels.get("Publication date")),
        "decision_maker": labels.get("Decision Maker") or None,
        "committee": committee,
        "meeting_url": meeting_url,
        "attachments": attachments,
        "issue_urls": sorted({u for u in links if ISSUE_LINK_RE.search(u)}),
        "item_urls": sorted({u for u in links if re.search(r"mgAi\.aspx\?", u, re.I)}),
    }


def parse_committees_html(html: str) -> list[str]:
    """Committee ids linked from mgListCommittees.aspx (mgCommitteeDetails or ieListMeetings links)."""
    ids = (
        Selector(text=html)
        .xpath("//a/@href")
        .re(r"(?i)(?:mgCommitteeDetails\.aspx\?ID|ieListMeetings\.aspx\?CId)=(\d+)")
    )
    return list(dict.fromkeys(ids))


def parse_meetings_html(html: str, base_url: str) -> list[str]:
    """Meeting-documents URLs (ieListDocuments.aspx) linked from ieListMeetings.aspx."""
    hrefs = Selector(text=html).xpath("//a/@href").getall()
    return list(
        dict.fromkeys(urljoin(base_url, h) for h in hrefs if re.search(r"ieListDocuments\.aspx\?", h, re.I))
    )
