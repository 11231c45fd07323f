"""Build the CMIS councils of the offline snapshot in corpora/snapshot/cmis/.

    .venv/bin/python corpora/build_snapshot_cmis.py    # rewrites corpora/snapshot/cmis/ only
    (corpora/build_snapshot.py rebuilds the whole snapshot, this part included)

Markup is CMIS's as captured in tests/fixtures/cmis (the month calendar, a meeting's summary block
and documents list, kept by LGSF); the agenda item page and the documents list's pager follow the
same module's classes, with no capture to copy, and say so (`"markup"` in cmis/sources.json). The
texts are real council papers (corpora/texts/cmis, copied from the dev corpus with their URL
headers): the corpora hold no text from a CMIS council, so ModernGov councils' papers are placed on
three CMIS councils' sites to exercise the spider and extraction end to end. sources.json names
each page's real source URL and flags the re-homing; crawlers/cmis_snapshot.py serves the result.

Bundled faults: Essex keeps its visitors in cookieless-session URLs (every page redirects once),
a Luton agenda item is slow, and a Nottinghamshire meeting's documents list fails its first
postback (a 500).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEXTS = HERE / "texts" / "cmis"
OUT = HERE / "snapshot" / "cmis"
sys.path.insert(0, str(HERE.parent))

from build_snapshot import HEADINGS, paragraphs, pdf_bytes  # noqa: E402

from crawlers.cmis_snapshot import ITEM_VIEW, MEETING_VIEW, chrome, doc_list, esc, meeting_html  # noqa: E402
from crawlers.registry import get_council  # noqa: E402
from crawlers.snapshot import route_key  # noqa: E402

CAPTURED = "LGSF cmis_meeting_summary.html + cmis_detail_with_minutes.html (tests/fixtures/cmis)"
ASSUMED = "CMIS module classes as in tests/fixtures/cmis; no capture of this view (assumed)"
# Reports and minutes behind Document.ashx: the text as a file, no council markup to copy.
FILE_MARKUP = {"pdf": "text rendered to PDF with fpdf2", "html": "text as bare HTML paragraphs"}


@dataclass
class Item:
    """An agenda item: its text on the item's page, or (`report`) in a report it links."""

    text_id: str
    report: str | None = None  # "pdf" | "html": the text is the item's report, the page links it
    slow: float = 0.0  # seconds the page takes (bundled fault)
    title: str | None = None  # when the text has no title line (its source page's title)


@dataclass
class Meeting:
    id: int
    cid: int
    committee: str
    date: str
    items: list[Item]
    minutes: str | None = None  # text id of the printed minutes (a PDF in the documents list)
    page_size: int = 10  # documents per page of the list; more are reached by postback
    postback_fails: int = 0  # bundled fault: the first N postbacks answer 500
    time: str = "10:00"


@dataclass
class CmisCouncil:
    id: str
    install: str  # the install's directory
    base_path: str  # the registry's base URL path (a page under the install)
    meetings: list[Meeting]
    session: str | None = None  # cookieless session segment every page redirects into


# One council per install shape: cmis5 (Essex), cmis5public (Luton), /dms/ (Nottinghamshire).
CMIS = [
    CmisCouncil(
        "ESS",
        "EssexCmis5",
        "EssexCmis5/Councillors.aspx",
        [
            Meeting(4101, 21, "Cabinet", "2021-03-16", [Item("a001"), Item("a015", report="pdf")]),
            Meeting(4102, 21, "Cabinet", "2021-04-20", [Item("a019")], minutes="a018"),
        ],
        session="(S(3ssexcm15se55i0nid0000))",
    ),
    CmisCouncil(
        "LUT",
        "cmis5public",
        "cmis5public/Councillors.aspx",
        [
            Meeting(
                3301,
                7,
                "Executive",
                "2022-07-11",
                [
                    Item("a033"),
                    Item("a053", report="html", title="Children’s Advocacy and Independent Visitor Service"),
                    Item("a012", slow=0.5),
                ],
            )
        ],
    ),
    CmisCouncil(
        "NTT",
        "dms",
        "dms/Councillors/tabid/63/ScreenMode/Alphabetical/Default.aspx",
        [
            Meeting(
                8801,
                512,
                "Cabinet",
                "2022-03-16",
                [Item("a041"), Item("a017", report="pdf")],
                minutes="a029",
                page_size=1,
                postback_fails=1,
            )
        ],
    ),
]


def read_text(text_id: str) -> tuple[str, str]:
    raw = (TEXTS / f"{text_id}.txt").read_text(encoding="utf-8")
    first, _, rest = raw.partition("\n")
    return first.removeprefix("URL:").strip(), rest.lstrip("\n")


def html_paragraphs(paras: list[str]) -> str:
    """Paragraphs as <p>, their lines kept apart (<br>) as on the page the text was read from."""
    return "".join("<p>" + "<br>\n".join(esc(x) for x in p.splitlines()) + "</p>\n" for p in paras)


def guid(council: str, text_id: str) -> str:
    h = hashlib.sha1(f"{council}:{text_id}".encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


class Builder:
    def __init__(self) -> None:
        self.sites: dict[str, dict] = {}
        self.sources: list[dict] = []

    def write(self, site: dict, path: str, data: bytes, ctype: str, source: str, **extra) -> str:
        page, _, part = path.partition("#")  # a meeting's further list pages: one file each
        suffix = {"application/pdf": ".pdf", "text/html; charset=utf-8": ".html"}[ctype]
        name = (
            re.sub(r"[^A-Za-z0-9._=-]+", "_", route_key(page).replace("?", "@"))
            + (part and f"_{part}")
            + suffix
        )
        rel = f"cmis/{site['id']}/{name}"
        (OUT.parent / rel).parent.mkdir(parents=True, exist_ok=True)
        (OUT.parent / rel).write_bytes(data)
        if not part and not path.lower().startswith("meetings/"):  # meetings are routed by id
            site["routes"][route_key(path)] = {
                "file": rel,
                "type": ctype,
                **{k: v for k, v in extra.items() if k == "delay"},
            }
        self.sources.append(
            {
                "council": site["id"],
                "path": f"{site['root']}/{path}",
                "file": rel,
                "source": source,
                **{
                    k: v
                    for k, v in extra.items()
                    if k in {"text_id", "assumed", "note", "markup", "attachment"}
                },
            }
        )
        return rel

    def document(self, site: dict, text_id: str, title: str, kind: str) -> dict:
        """A report or minutes file behind Document.ashx (CMIS links files by an opaque token)."""
        source, text = read_text(text_id)
        token = hashlib.sha1(f"{site['id']}:{text_id}:{kind}".encode()).hexdigest()[:32]
        path = f"Document.ashx?czJKcaeAi5tUFL1DTL2UE4sOqCLHzE2A={token}"
        if kind == "html":
            body = html_paragraphs(paragraphs(text))
            data = f"<html><head><meta charset='utf-8'><title>{esc(title)}</title></head><body>\n{body}</body></html>\n".encode()
            ctype, icon = "text/html; charset=utf-8", "htm"
        else:
            data, ctype, icon = pdf_bytes(title, text, source), "application/pdf", "pdf"
        note = f"{kind.upper()} of text {text_id} (a paper of another council, re-homed on a CMIS site)"
        markup = FILE_MARKUP[kind]
        self.write(
            site, path, data, ctype, source, text_id=text_id, note=note, markup=markup, attachment=True
        )
        href = f"/{site['id']}/{site['root']}/{path}"
        return {"href": href, "title": title, "kb": max(1, len(data) // 1024), "icon": icon}

    def item(self, site: dict, m: Meeting, it: Item) -> dict:
        source, text = read_text(it.text_id)
        paras = paragraphs(text)
        if paras and paras[0] in HEADINGS:
            paras.pop(0)
        # The title is the text's first line (an item number and a file size stripped); the rest of
        # that paragraph stays text.
        first, _, rest = paras.pop(0).partition("\n") if paras and not it.title else (it.title, "", "")
        if rest:
            paras.insert(0, rest)
        title = re.sub(r"\s+PDF \d+ KB$", "", re.sub(r"^(Agenda item - |\d+\s+)", "", first))
        gid = guid(site["id"], it.text_id)
        docs = [self.document(site, it.text_id, f"{title} - report", it.report)] if it.report else []
        when = date.fromisoformat(m.date)
        meeting_href = f"/{site['id']}/{site['root']}/" + MEETING_VIEW.format(id=m.id, cid=m.cid)
        # The item names its meeting on one line, date first, as ModernGov's "Meeting:" label does.
        inner = (
            f'<h1 class="ItemTitle">{esc(title)}</h1>\n<p class="ItemMeeting"><span class="DNNLabel">Meeting:</span> '
            f'<a href="{esc(meeting_href)}">{when.strftime("%d/%m/%Y")} - {esc(m.committee)}</a></p>\n'
        )
        if not it.report:
            inner += '<div class="ItemText">\n' + html_paragraphs(paras) + "</div>\n"
        if docs:
            inner += doc_list(docs) + "</div>\n"
        path = ITEM_VIEW.format(guid=gid)
        page = chrome(site["name"], title, inner, source)
        extra = {"delay": it.slow} if it.slow else {}
        note = f"text {it.text_id}: a paper of another council, re-homed on a CMIS site"
        self.write(
            site,
            path,
            page.encode(),
            "text/html; charset=utf-8",
            source,
            text_id=it.text_id,
            assumed=True,
            note=note,
            markup=ASSUMED,
            **extra,
        )
        return {"href": f"/{site['id']}/{site['root']}/{path}", "title": title, "docs": docs}

    def meeting(self, site: dict, m: Meeting) -> None:
        items = [self.item(site, m, it) for it in m.items]
        docs = [d for it in items for d in it["docs"]]
        if m.minutes:
            docs.append(self.document(site, m.minutes, f"Printed minutes {m.date} {m.committee}", "pdf"))
        pages = [docs[i : i + m.page_size] for i in range(0, len(docs), m.page_size)] or [[]]
        files = []
        for k, chunk in enumerate(pages, 1):
            page = meeting_html(site["name"], site["id"], vars(m), items, chunk, k, len(pages))
            path = MEETING_VIEW.format(id=m.id, cid=m.cid) + (f"#page{k}" if k > 1 else "")
            files.append(
                self.write(
                    site,
                    path,
                    page.encode(),
                    "text/html; charset=utf-8",
                    f"generated: meeting {m.id} (page {k} of its documents list)",
                    assumed=True,
                    markup=CAPTURED if k == 1 else CAPTURED + "; page reached by postback",
                )
            )
        site["meetings"].append(
            {
                "id": m.id,
                "cid": m.cid,
                "committee": m.committee,
                "date": m.date,
                "time": m.time,
                "pages": files,
                "postback_fails": m.postback_fails,
            }
        )

    def build(self) -> None:
        if OUT.exists():
            shutil.rmtree(OUT)
        OUT.mkdir(parents=True)
        for c in CMIS:
            site = self.sites[c.id] = {
                "id": c.id,
                "name": get_council(c.id).name,
                "root": c.install,
                "base_path": f"{c.id}/{c.base_path}".split("/", 1)[1],
                "session": c.session,
                "meetings": [],
                "routes": {},
            }
            for m in c.meetings:
                self.meeting(site, m)
        (OUT / "site.json").write_text(json.dumps({"councils": self.sites}, indent=1, sort_keys=True) + "\n")
        (OUT / "sources.json").write_text(json.dumps(self.sources, indent=1, ensure_ascii=False) + "\n")
        print(f"snapshot (CMIS): {len(self.sites)} councils, {len(self.sources)} pages and files")


if __name__ == "__main__":
    Builder().build()
