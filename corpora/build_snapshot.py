"""Build the offline ModernGov snapshot in corpora/snapshot/ from the real texts in corpora/texts/.

    .venv/bin/python corpora/build_snapshot.py      # rewrites corpora/snapshot/ (needs fpdf2)

Every page the snapshot serves is one of the real council texts (seeds and dev corpus), rendered
into ModernGov's real markup (the LGSF captures in tests/fixtures/moderngov) at the council's real
URL path. What the texts do not say (committee ids, meeting ids of generated meetings, the dates of
undated pages) is filled in here and flagged `"assumed"` in snapshot/sources.json, which names the
source URL of every page. The structural pages (web-service XML, decision listings, committee and
meeting lists) are rendered at request time by crawlers/snapshot.py from snapshot/site.json.

Faults real sites have are part of the bundle (see FAULTS below); crawlers/snapshot.py can inject
more at runtime.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

HERE = Path(__file__).resolve().parent
TEXTS = HERE / "texts"
OUT = HERE / "snapshot"
sys.path.insert(0, str(HERE.parent))

from crawlers.registry import get_council  # noqa: E402
from crawlers.snapshot import route_key  # noqa: E402

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@dataclass
class Page:
    """One real text placed on a council's site."""

    text_id: str
    council: str
    path: str  # path + query on the council's site, as linked
    kind: str  # decision | issue_decisions | issue_meetings | issue_details | agenda_item | meeting
    date: str  # ISO date the listing / meeting window files it under
    assumed_date: bool = False
    committee: str | None = None  # agenda items and meetings: the meeting's committee
    title: str | None = None  # when the text has no title line
    heading: str | None = None  # when the text has no heading line
    source: str | None = None  # when not the text's URL header (seeds, sliced listings)
    text: str | None = None  # when a slice of a text
    pdfs: list[dict] = field(default_factory=list)  # {"id", "name", "text_id" | "broken"}
    issue: str | None = None  # IId of an issue page in the snapshot this page links to


# The seeds' URLs are placeholders (`seed:...`); their councils come from gold.jsonl and their
# texts. Their ids on the council sites are invented and flagged in sources.json.
SEEDS = [
    Page(
        "s000",
        "BRY",
        "mgAi.aspx?ID=54321",
        "agenda_item",
        "2016-06-21",
        True,
        committee="Care Services Policy Development and Scrutiny Committee",
    ),
    Page("s002", "THR", "ieIssueDetails.aspx?IId=12345&Opt=3", "issue_meetings", "2018-02-07"),
    Page("s003", "STH", "ieDecisionDetails.aspx?ID=3843", "decision", "2019-11-19"),
    Page("s004", "NGM", "mgAi.aspx?ID=81234", "agenda_item", "2019-06-18", True, committee="Executive Board"),
]
# s001 is a report: it is served as the PDF of a (generated) Halton agenda item.
REPORT = Page(
    "s001",
    "HAL",
    "mgAi.aspx?ID=27001",
    "agenda_item",
    "2018-01-18",
    committee="Executive Board",
    title="Request for Halton Borough Council to lead the joint procurement of Services for "
    "Missing from Home and Care and Exploitation services for young people across Cheshire",
    heading="Agenda item",
    pdfs=[{"id": "s48852", "name": "Missing from Home Preliminary Report.pdf", "text_id": "s001"}],
)

DEV = [
    Page("d001", "CHO", "", "decision", "2013-12-12"),
    Page("d002", "HAL", "", "decision", "2022-06-16"),
    Page(
        "d003",
        "CRW",
        "",
        "decision",
        "2024-07-10",
        True,
        title="Energy procurement: LASER framework",
        heading="Decision details",
    ),
    Page("d004", "EHE", "", "decision", "2022-05-05"),
    Page("d005", "BNH", "", "decision", "2023-06-12"),
    Page("d006", "LEW", "", "decision", "2022-03-09"),
    Page("d007", "DAL", "", "decision", "2022-04-05"),
    Page("d008", "DAC", "", "decision", "2021-07-27"),
    Page("d009", "HMF", "", "issue_decisions", "2020-05-21"),
    Page("d010", "KEN", "", "issue_decisions", "2023-08-21"),
    Page("d011", "LBH", "", "issue_decisions", "2020-03-02", True, heading="Issue - decisions"),
    Page("d012", "HMF", "", "issue_decisions", "2021-06-01", True, heading="Issue - decisions"),
    Page("d013", "HIL", "", "issue_meetings", "2017-11-16"),
    Page(
        "d014",
        "FEN",
        "",
        "issue_meetings",
        "2025-09-18",
        True,
        heading="Issue - meetings",
        pdfs=[{"id": "s21377", "name": "Grounds Maintenance Contract report.pdf", "broken": True}],
    ),
    Page("d015", "CRW", "", "issue_meetings", "2023-06-28"),
    Page(
        "d016",
        "LND",
        "",
        "agenda_item",
        "2019-03-12",
        True,
        committee="Port Health and Environmental Services Committee",
    ),
    Page("d017", "LND", "", "agenda_item", "2021-01-19", True, committee="Projects Sub Committee"),
    Page("d018", "DUR", "", "agenda_item", "2012-10-17", True, committee="Cabinet"),
    Page("d019", "DUR", "", "agenda_item", "2015-07-15", True, committee="County Council"),
    Page("d020", "KEN", "", "issue_details", "2010-04-01", True),
    Page("d021", "CBF", "", "issue_details", "2018-12-04"),
    Page("d022", "BOS", "", "issue_details", "2023-10-31"),
    Page(
        "d023",
        "COV",
        "",
        "meeting",
        "2018-03-06",
        committee="Cabinet",
        pdfs=[{"id": "g11482", "name": "Printed minutes 06th-Mar-2018 14.00 Cabinet.pdf", "text_id": "d023"}],
    ),
    Page(
        "d024",
        "LCE",
        "",
        "meeting",
        "2001-03-19",
        committee="Cabinet",
        pdfs=[{"id": "g353", "name": "Printed minutes 19th-Mar-2001 17.00 Cabinet.pdf", "text_id": "d024"}],
    ),
    Page("d025", "EPS", "", "issue_decisions", "2023-11-15"),
    Page(
        "d131", "SLF", "ieDecisionDetails.aspx?ID=46523", "decision", "2025-06-23", heading="Decision details"
    ),
    Page("d134", "HMF", "", "decision", "2014-12-30"),
    Page("d135", "SWK", "", "issue_meetings", "2016-03-15", True, heading="Issue - meetings"),
    Page("d136", "SWK", "", "issue_decisions", "2016-07-29"),
    Page("d137", "SMT", "", "decision", "2023-10-04"),
    Page(
        "d138",
        "TEN",
        "",
        "decision",
        "2023-01-13",
        True,
        title="Cabinet decision",
        heading="Decision details",
    ),
    Page(
        "d139", "LEW", "ieDecisionDetails.aspx?ID=8121", "decision", "2025-12-03", heading="Decision details"
    ),
    Page("d140", "ROT", "", "issue_decisions", "2023-03-16"),
    Page("d141", "OLD", "", "issue_meetings", "2018-06-25"),
]
# Sheffield's expanded decision listings (d132, d133) are served as the decision pages they list.
# The second decision of d132 is linked by agenda item (AIId) with the first's number, so one
# number names two decisions, as ID and AIId sequences overlap on real sites ("assumed" link).
SLICED = {"d132": "SHF", "d133": "SHF"}
AIID_TWIN = {"d132": 1}
# Councils whose web service is switched off: the spiders must fall back to the HTML pages.
NO_WEB_SERVICE = {"LND", "LCE"}
# A web service behind a firewall that answers automated clients with a 200 HTML page.
WAF_WEB_SERVICE = {"BOS"}

# Faults real sites have, bundled. Runtime faults: crawlers/snapshot.py `Fault`.
FAULTS = {
    # A withdrawn decision still listed: the page errors forever ("Server Error in '/' Application").
    "DAL": {
        "dead_link": {
            "path": "ieDecisionDetails.aspx?ID=1515",
            "title": "Waiver of Contract Procedure Rules (withdrawn)",
            "date": "2022-04-06",
        }
    },
    # The Kent issue history page is slow to render (large forward plan), and its listing takes
    # longer than the listing timeout for windows wider than four months around its 2010
    # decision: the crawler must split the window, not give up.
    "KEN": {
        "slow": {"path": "mgIssueHistoryHome.aspx?IId=13407&Opt=0", "seconds": 0.5},
        "slow_listing": {"days": 120, "covers": "2010-04-01", "seconds": 4.0},
    },
    # Halton serves pages in windows-1252 (curly quotes and dashes are cp1252 bytes 0x91-0x97).
    "HAL": {"encoding": {"path": "ieDecisionDetails.aspx?ID=712", "charset": "windows-1252"}},
    # Dacorum redirects a decision link to its cookieless-session URL.
    "DAC": {
        "redirect": {
            "path": "ieDecisionDetails.aspx?ID=1516",
            "to": "(S(lqhvmq45ry0sxj55a2xcfw45))/ieDecisionDetails.aspx?ID=1516",
        }
    },
    # Leicester's pages link through session segments (d024 was captured under one).
    "LCE": {"session": "(S(t1fziw45wvh0zr45gujmstei))"},
    # Somerset lists its officer decision only on mgListOfficerDecisions.
    "SMT": {"officer_only": "ieDecisionDetails.aspx?ID=423"},
}
# Where each kind of page's markup comes from (sources.json "markup"): the LGSF captures in
# tests/fixtures/moderngov (SOURCES.md names their commits), and dev texts d132/d133 for the
# expanded listing view.
MARKUP = {
    "decision": "LGSF capture modgov_decision_detail.html (tests/fixtures/moderngov/decision_detail.html)",
    "issue_decisions": "LGSF capture modgov_decision_detail.html: label paragraphs, mgWordPara, mgBulletList",
    "issue_meetings": "LGSF capture modgov_decision_detail.html: label paragraphs, mgWordPara, mgBulletList",
    "issue_details": "LGSF capture modgov_decision_detail.html: label paragraphs, mgWordPara, mgBulletList",
    "agenda_item": "LGSF capture modgov_decision_detail.html: label paragraphs, mgWordPara, mgBulletList",
    "meeting": "LGSF capture modgov_decision_detail.html: label paragraphs, mgBulletList of printed minutes",
    "pdf": "text rendered to PDF with fpdf2",
    "listing": "table view: LGSF capture modgov_decisions_list.html; expanded view (V=1): the layout of "
    "https://democracy.sheffield.gov.uk/mgDelegatedDecisions.aspx (dev texts d132, d133), rendered by "
    "crawlers/snapshot.py",
    "web_service": "LGSF captures committees.xml, meetings.xml, meeting_with_minutes.xml (democracy.manchester.gov.uk), "
    "rendered by crawlers/snapshot.py",
}

LABELS = (
    "Decision Maker",
    "Decision status",
    "Is Key decision?",
    "Is subject to call in?",
    "Publication date",
    "Date of decision",
    "Decided at meeting",
    "Effective from",
    "Decision type",
    "Decision due",
    "Department",
    "Lead member",
    "Report author",
    "Lead officer",
    "Decision published",
    "Contact",
    "Venue",
    "Meeting",
    "Outcome",
    "Is Key Decision?",
    "Is Callable In?",
    "Date of Decision",
    "Financial implications",
    "Legal implications",
    "Wards affected",
    "Notice of proposed decision first published",
)
LABEL_RE = re.compile(r"^(" + "|".join(re.escape(x) for x in LABELS) + r"):\s*(.*)$")
SUBHEAD_RE = re.compile(r"^[A-Z][A-Za-z0-9 ()’'/,&-]{1,60}:$")
HEADINGS = {
    "Decision details",
    "Issue - decisions",
    "Issue - meetings",
    "Issue details",
    "Agenda item",
    "Agenda and minutes",
    "Decision",
}
PAGE_HEADING = {
    "decision": "Decision details",
    "issue_decisions": "Issue - decisions",
    "issue_meetings": "Issue - meetings",
    "issue_details": "Issue details",
    "agenda_item": "Agenda item",
    "meeting": "Agenda and minutes",
}


def read_text(text_id: str) -> tuple[str, str]:
    """(URL header, text) of a corpus text."""
    sub = "seeds" if text_id.startswith("s") else "dev"
    raw = (TEXTS / sub / f"{text_id}.txt").read_text(encoding="utf-8")
    first, _, rest = raw.partition("\n")
    return first.removeprefix("URL:").strip(), rest.lstrip("\n")


def site_path(url: str) -> str:
    """The page's path and query relative to the council's base URL (session segment kept)."""
    parts = urlsplit(url)
    path = parts.path.rsplit("/", 1)[-1]
    session = re.search(r"/(\(S\([^)]*\)\))/", parts.path)
    return (session.group(1) + "/" if session else "") + path + ("?" + parts.query if parts.query else "")


def esc(s: str) -> str:
    return html.escape(s, quote=True)


def dmy(iso: str) -> str:
    y, m, d = iso.split("-")
    return f"{d}/{m}/{y}"


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def chrome(council_name: str, heading: str, inner: str, source: str) -> str:
    """A full ModernGov page: site header, the `div#modgov` content as captured, footer."""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{esc(heading)} - {esc(council_name)}</title>
<link rel="stylesheet" href="SiteSpecific/ssMgStyles.css">
</head>
<body>
<!-- snapshot of {esc(source)} -->
<div id="mgHeaderBar"><a href="mgListCommittees.aspx">Committees</a> | <a href="mgDelegatedDecisions.aspx">Decisions</a> | <a href="mgCalendarMonthView.aspx">Calendar</a></div>
<div id="modgov"><div class="mgHeader"><h1  class="mgMainTitleTxt" >{esc(heading)}</h1></div>
{inner}
<div class="mgFooter" >
<p>&nbsp;</p>
</div>
</div>
<div id="footer">{esc(council_name)}</div>
</body></html>
"""


def docs_list(pdfs: list[dict], label: str) -> str:
    if not pdfs:
        return ""
    items = "".join(
        f'<li><a  href="{esc(p["href"])}"   title="Link&#32;to&#32;file&#32;{esc(p["title"])}">{esc(p["title"])}\n'
        f'<span  class="mgFileSize" ><img height="12" src="mgimages/logo-pdf-1.gif" width="12" alt="pdf icon" /> '
        f"PDF {p['kb']} KB</span> </a>  </li>\n"
        for p in pdfs
    )
    return f'<p class="mgLabel" >{esc(label)}</p>\n<ul  class="mgBulletList" >\n{items}</ul>\n'


def body_html(paras: list[str], meeting_link: str | None) -> str:
    """Text paragraphs as ModernGov markup: label/value pairs, sub-headings, Word paragraphs."""
    out, word = [], []

    def flush():
        if word:
            out.append(
                '<div class="mgWordPara"><div class="WordSection1">\n' + "".join(word) + "</div>\n</div>"
            )
            word.clear()

    for p in paras:
        first = p.splitlines()[0].strip()
        m = LABEL_RE.match(first) if "\n" not in p else None
        if m:
            flush()
            value = esc(m.group(2))
            if m.group(1) in {"Decided at meeting", "Meeting"} and meeting_link:
                value = f'<a  href="{esc(meeting_link)}"  >{value}</a>'
            if m.group(1) == "Decision status":
                value = f'<span  class="mgPlanItemInForce" >{value}</span>'
            out.append(f'<p><span  class="mgLabel" >{esc(m.group(1))}: </span>{value}</p>')
        elif SUBHEAD_RE.match(p) and "\n" not in p:
            flush()
            out.append(f'<h3 class="mgSubSubTitleTxt">{esc(p)}</h3>')
        else:
            word.append('<p class="MsoNormal">' + "<br>\n".join(esc(x) for x in p.splitlines()) + "</p>\n")
    flush()
    return "\n".join(out)


def pdf_bytes(title: str, text: str, source: str) -> bytes:
    """A small text PDF of a report (fpdf2, DejaVu for the text's Unicode)."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_creator("committee-papers snapshot")
    pdf.set_title(title)
    pdf.set_subject(f"Source: {source}")
    pdf.set_creation_date(
        __import__("datetime").datetime(2020, 1, 1, tzinfo=__import__("datetime").timezone.utc)
    )
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.set_font("DejaVu", size=10)
    pdf.add_page()
    for para in paragraphs(text):
        pdf.multi_cell(0, 5, para.replace("\t", " "))
        pdf.ln(2)
    return bytes(pdf.output())


def broken_pdf(title: str) -> bytes:
    """A PDF as some council servers hand them out: header and trailer intact, body cut off."""
    good = pdf_bytes(title, "This report could not be converted.", "generated")
    return good[:400] + b"\n%%EOF\n"


class Builder:
    def __init__(self) -> None:
        self.sites: dict[str, dict] = {}
        self.sources: list[dict] = []
        self.next_id = {"committee": 500, "meeting": 9000}

    def site(self, cid: str) -> dict:
        if cid not in self.sites:
            c = get_council(cid)
            self.sites[cid] = {
                "id": cid,
                "name": c.name,
                "web_service": "html" if cid in WAF_WEB_SERVICE else cid not in NO_WEB_SERVICE,
                "session": FAULTS.get(cid, {}).get("session"),
                "slow_listing": FAULTS.get(cid, {}).get("slow_listing"),
                "committees": [],
                "meetings": [],
                "listing": [],
                "officer_listing": [],
                "routes": {},
            }
        return self.sites[cid]

    def committee(self, site: dict, title: str, cid: int | None = None) -> int:
        for c in site["committees"]:
            if c["title"] == title:
                return c["id"]
        if cid is None:
            cid = self.next_id["committee"] = self.next_id["committee"] + 1
        site["committees"].append({"id": cid, "title": title})
        return cid

    def meeting(
        self, site: dict, committee: str, date: str, mid: int | None = None, cid: int | None = None
    ) -> dict:
        c = self.committee(site, committee, cid)
        for m in site["meetings"]:
            if m["cid"] == c and m["date"] == date:
                return m
        if mid is None:
            mid = self.next_id["meeting"] = self.next_id["meeting"] + 1
        m = {
            "id": mid,
            "cid": c,
            "committee": committee,
            "date": date,
            "status": "Confirmed",
            "items": [],
            "docs": [],
            "page": None,
        }
        site["meetings"].append(m)
        return m

    def write(self, site: dict, path: str, content: bytes, ctype: str, source: str, **extra) -> None:
        name = re.sub(r"[^A-Za-z0-9._=-]+", "_", route_key(path).replace("?", "@"))
        rel = f"{site['id']}/{name}"
        (OUT / rel).parent.mkdir(parents=True, exist_ok=True)
        (OUT / rel).write_bytes(content)
        site["routes"][route_key(path)] = {"file": rel, "type": ctype, **extra}
        self.sources.append(
            {
                "council": site["id"],
                "path": path,
                "file": rel,
                "source": source,
                "markup": MARKUP["pdf" if ctype == "application/pdf" else extra.get("kind", "decision")],
                **{k: v for k, v in extra.items() if k in {"text_id", "assumed", "note"}},
            }
        )

    def pdfs(self, site: dict, page: Page, source: str) -> list[dict]:
        out = []
        for p in page.pdfs:
            href = f"documents/{p['id']}/{p['name']}"
            title = p["name"].removesuffix(".pdf")
            if p.get("broken"):
                data, src, note = broken_pdf(title), source, "broken PDF (bundled fault)"
            else:
                src, text = read_text(p["text_id"])
                src = src if not src.startswith("seed:") else f"seed {p['text_id']} ({site['name']})"
                data, note = pdf_bytes(title, text, src), f"PDF of text {p['text_id']}"
            self.write(site, href, data, "application/pdf", src, note=note)
            out.append({"href": href, "title": title, "kb": max(1, len(data) // 1024), "id": p["id"]})
        return out

    def add(self, page: Page) -> None:
        site = self.site(page.council)
        url, text = read_text(page.text_id)
        if page.text is not None:
            text = page.text
        source = page.source or (
            url
            if not url.startswith("seed:")
            else f"seed {page.text_id} ({site['name']}; see corpora/texts/seeds)"
        )
        path = page.path or site_path(url)
        paras = paragraphs(text)
        heading = page.heading or (
            paras.pop(0) if paras and paras[0] in HEADINGS else PAGE_HEADING[page.kind]
        )
        title = page.title or (paras.pop(0) if paras and not LABEL_RE.match(paras[0]) else None)
        if page.kind == "agenda_item" and page.text_id == "s001":
            paras = []  # the report is the PDF; the agenda item page only links it
        pdfs = self.pdfs(site, page, source)
        meeting = None
        if page.kind in {"agenda_item", "meeting"}:
            q = dict(parse_qsl(urlsplit(path).query))
            meeting = self.meeting(
                site,
                page.committee,
                page.date,
                mid=int(q["MId"]) if "MId" in q else None,
                cid=int(q["CId"]) if "CId" in q else None,
            )
        meeting_link = (
            f"ieListDocuments.aspx?CId={meeting['cid']}&amp;MId={meeting['id']}" if meeting else None
        )
        inner = ""
        if title:
            inner += f'<div class="mgSubTitle" >\n<h2 class="mgSubTitleTxt">{esc(title)}</h2>\n</div>\n'
        if page.issue:
            inner += (
                '<div class="mgLinks" >\n<ul  class="mgActionList" >\n<li><a  href="mgIssueHistoryHome.aspx?IId='
                f'{page.issue}&amp;Opt=0"  title="Link&#32;to&#32;issue&#32;history">Find out more about this issue</a></li>\n</ul>\n</div>\n'
            )
        content = ""
        if page.kind == "agenda_item" and meeting:
            content += (
                f'<p><span  class="mgLabel" >Meeting: </span><a  href="{meeting_link}"  >'
                f"{dmy(meeting['date'])} - {esc(meeting['committee'])}</a></p>\n"
            )
        content += body_html(paras, meeting_link)
        content += docs_list(pdfs, "Printed minutes:" if page.kind == "meeting" else "Supporting documents:")
        inner += f'<div class="mgContent" >\n{content}\n</div>'
        doc = chrome(site["name"], heading, inner, source)
        fault = FAULTS.get(page.council, {})
        extra: dict = {"text_id": page.text_id, "kind": page.kind, "assumed": page.assumed_date}
        ctype = "text/html; charset=utf-8"
        data = doc.encode("utf-8")
        enc = fault.get("encoding")
        if enc and route_key(enc["path"]) == route_key(path):
            data = doc.replace('charset="utf-8"', f'charset="{enc["charset"]}"').encode(enc["charset"])
            ctype = f"text/html; charset={enc['charset']}"
        slow = fault.get("slow")
        if slow and route_key(slow["path"]) == route_key(path):
            extra["delay"] = slow["seconds"]
        self.write(site, path, data, ctype, source, **extra)
        if meeting is not None and page.kind == "agenda_item":
            aid = dict(parse_qsl(urlsplit(path).query))["ID"]
            meeting["items"].append(
                {
                    "id": int(aid),
                    "title": title or heading,
                    "number": len(meeting["items"]) + 1,
                    "text": paras[0] if paras else "",
                    "docs": pdfs,
                }
            )
        elif meeting is not None:
            meeting["page"] = route_key(path)
            meeting["docs"] = pdfs
        else:
            officer = FAULTS.get(page.council, {}).get("officer_only") == path
            site["officer_listing" if officer else "listing"].append(
                {"href": path, "title": title or heading, "date": page.date, "kind": page.kind}
            )

    def slice_listing(self, text_id: str, council: str) -> None:
        """Sheffield's expanded listings hold several decisions: serve each as its details page."""
        url, text = read_text(text_id)
        heads = list(re.finditer(r"^(\d\d/\d\d/\d{4}) - (.+?) ref: (\d+)\s+(.+)$", text, re.M))
        for i, m in enumerate(heads):
            end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
            body = text[m.end() : end].strip()
            d, mth, y = m.group(1).split("/")
            twin = AIID_TWIN.get(text_id) == i
            self.add(
                Page(
                    text_id,
                    council,
                    f"ieDecisionDetails.aspx?AIId={heads[0].group(3)}"
                    if twin
                    else f"ieDecisionDetails.aspx?ID={m.group(3)}",
                    "decision",
                    f"{y}-{mth}-{d}",
                    assumed_date=twin,
                    title=m.group(2),
                    heading="Decision details",
                    source=url,
                    text=f"Decision status: {m.group(4).strip()}\n\n{body}",
                )
            )

    def dead_links(self) -> None:
        for cid, fault in FAULTS.items():
            if "dead_link" in fault:
                f = fault["dead_link"]
                site = self.site(cid)
                site["listing"].append(
                    {"href": f["path"], "title": f["title"], "date": f["date"], "kind": "decision"}
                )
                site["routes"][route_key(f["path"])] = {"status": 500}
            if "redirect" in fault:
                f = fault["redirect"]
                self.site(cid)["routes"][route_key(f["path"]) + "#redirect"] = {"redirect": f["to"]}

    def build(self) -> None:
        if OUT.exists():
            shutil.rmtree(OUT)
        OUT.mkdir()
        for build_platform in PLATFORMS:
            build_platform(self)
        for site in self.sites.values():
            site["listing"].sort(key=lambda r: (r["date"], r["href"]))
            site["officer_listing"].sort(key=lambda r: (r["date"], r["href"]))
            site["meetings"].sort(key=lambda m: (m["date"], m["id"]))
        (OUT / "site.json").write_text(json.dumps({"councils": self.sites}, indent=1, sort_keys=True) + "\n")
        (OUT / "sources.json").write_text(json.dumps(self.sources, indent=1, ensure_ascii=False) + "\n")
        pages = sum(1 for s in self.sources if not s["file"].endswith(".pdf"))
        pdfs = len(self.sources) - pages
        digest = hashlib.sha256((OUT / "site.json").read_bytes()).hexdigest()[:12]
        print(f"snapshot: {len(self.sites)} councils, {pages} pages, {pdfs} PDFs (site.json {digest})")


def moderngov_sites(builder: Builder) -> None:
    """The ModernGov councils: their pages (SEEDS, REPORT, DEV, SLICED) and bundled FAULTS."""
    for page in [*SEEDS, REPORT, *DEV]:
        builder.add(page)
    for text_id, council in SLICED.items():
        builder.slice_listing(text_id, council)
    builder.dead_links()


# One builder per platform, each reading its own data lists above.
PLATFORMS = [moderngov_sites]


if __name__ == "__main__":
    Builder().build()
