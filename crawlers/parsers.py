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
# Pages a content page links that hold decisions: issue pages and the decisions themselves.
ISSUE_LINK_RE = re.compile(
    r"(mgIssueHistoryHome|ieIssueDetails|mgDecisionDetails|ieDecisionDetails)\.aspx\?", re.I
)
# The expanded view's heading for a decision: "30/04/2021 - Title ref: 2797".
EXPANDED_HEADING_RE = re.compile(r"^\s*\d{1,2}/\d{1,2}/\d{4}\s+-\s+")
REF_RE = re.compile(r"\s*ref:\s*\d+\s*$")


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


class NotWebServiceAnswer(ValueError):
    """A web-service call answered with something other than its XML: an ASP.NET error page, a WAF
    or challenge page, a SOAP fault, all with status 200."""


def web_service_xml(body: bytes, content_type: str | None, root: str) -> bytes:
    """`body` when it is the web service's XML answer with root element `root`; else raise
    NotWebServiceAnswer saying what came instead."""
    ctype = (content_type or "").split(";")[0].strip().lower()
    if "xml" not in ctype:
        raise NotWebServiceAnswer(f"answered {ctype or 'no content type'}, not XML")
    head = body.lstrip()[:2000].lower()
    if b"fault>" in head:
        raise NotWebServiceAnswer("answered a SOAP fault")
    found = re.search(rb"<([a-z][\w:.-]*)[\s>/]", re.sub(rb"<\?.*?\?>|<!--.*?-->|<!doctype[^>]*>", b"", head))
    if found is None or found.group(1).decode() != root:
        tag = found.group(1).decode() if found else "nothing"
        raise NotWebServiceAnswer(f"answered <{tag}>, not <{root}>")
    return body


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
                # A published decision on the item: its page is ieDecisionDetails.aspx?AIId=<id>.
                "decision": _bool(_x(it, "isdecisionpublished")),
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
    """Decision listing rows: [{url, title, date (ISO), effective}] (absolute URLs, each once).

    Read by their links, so both views parse: the table view (`V=0`: one `table.mgTabTable` row per
    decision, dates in the next cells) and the expanded view (`V=1`: a heading "dd/mm/yyyy - title
    ref: N" per decision, label paragraphs below it). mgDelegatedDecisions and
    mgListOfficerDecisions share both. Rows may link issue histories as well as decisions.
    """
    sel = Selector(text=html)
    root = sel.css("#modgov") or sel
    rows: dict[str, dict] = {}
    for link in root.css("a[href]"):
        href = link.attrib["href"]
        if not ISSUE_LINK_RE.search(href):
            continue
        url = urljoin(base_url, href)
        text = _text(link)
        title = REF_RE.sub("", text)  # the table view hides the ref in a span.mgHide
        row = link.xpath("ancestor::tr[1]")
        if row:
            cells = [_text(td) for td in row[0].xpath("./td")]
            date = iso_date(cells[1]) if len(cells) > 1 else None
            effective = iso_date(cells[2]) if len(cells) > 2 else None
        else:
            heading = (
                _text(link.xpath("ancestor::*[self::h2 or self::h3 or self::h4 or self::p][1]")[:1]) or text
            )
            if not EXPANDED_HEADING_RE.match(heading) and not EXPANDED_HEADING_RE.match(title):
                continue  # a link in a decision's text, not a listed decision
            date = iso_date(heading)
            title = EXPANDED_HEADING_RE.sub("", title)
            effective = None
        if url not in rows and title:
            rows[url] = {"url": url, "title": title, "date": date, "effective": effective}
    return list(rows.values())


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


def content_area(html: str) -> str:
    """The page's own content (`div#modgov`) without the council's chrome around it (header,
    banners, asset versions); the whole page when it has no such area."""
    return Selector(text=html).css("#modgov").get() or html


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
