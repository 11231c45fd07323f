"""CMIS councils in the offline snapshot: a small CMIS look-alike behind crawlers/snapshot.py.

Each CMIS council lives under its own prefix and its install's path (`/ESS/EssexCmis5/...`), so
the spider finds the install root from a registry-shaped base URL as on the real web. Pages come
from files built by corpora/build_snapshot_cmis.py (corpora/snapshot/cmis/); the month calendar
is rendered here from cmis/site.json, because it depends on the month asked for. A meeting's
documents list answers its other pages only to a postback carrying that meeting's view state, as
ASP.NET does ("Validation of viewstate MAC failed" otherwise).

Bundled faults (cmis/site.json): a cookieless-session site (every .aspx page redirects to its
`/(S(...))/` URL), a slow page (`delay`), and a postback that fails its first `postback_fails`
times (a 500, as when the server recycles and loses the view state key).
"""

from __future__ import annotations

import base64
import html
import json
import re
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qsl

from crawlers import snapshot

CALENDAR_RE = re.compile(r"/ctl/meetingcalendarpublicnojava/mid/\d+/date/(\d{4}-\d{2}-\d{2})/default\.aspx$")
MEETING_RE = re.compile(r"/ctl/viewmeetingpublic/mid/\d+/meeting/(\d+)/committee/\d+/")
SERVER_ERROR = b"<h1>Server Error in '/' Application.</h1><h2><i>Validation of viewstate MAC failed.</i></h2>"
HTML = "text/html; charset=utf-8"
ITEM_VIEW = "Decisions/tabid/67/ctl/ViewCMIS_DecisionDetails/mid/391/Id/{guid}/Default.aspx"
MEETING_VIEW = "Meetings/tabid/70/ctl/ViewMeetingPublic/mid/397/Meeting/{id}/Committee/{cid}/SelectedTab/Documents/Default.aspx"
PAGER_TARGET = "dnn$ctr397$ViewMeetingPublic$cmisPdfDocuments$rptPager"


def view_state(council: str, meeting: int, page: int) -> str:
    """The __VIEWSTATE a meeting's documents list page carries (opaque to the crawler)."""
    return base64.b64encode(f"cmis-snapshot|{council}|{meeting}|{page}".encode()).decode()


def esc(s: str) -> str:
    return html.escape(s, quote=True)


def holder(label: str, value_html: str, cls: str) -> str:
    """A labelled field of the meeting summary block."""
    return (
        f'<div class="holder">\n  <div class="DNNLabel {cls}Label"><div class="dnnLabel"><label><span>{esc(label)}:'
        f'</span></label></div></div>\n  <div class="Value {cls}">{value_html}</div>\n</div>\n'
    )


def doc_list(docs: list[dict]) -> str:
    """The documents list (left open: a pager may follow before its closing </div>)."""
    rows = "".join(
        f'  <li class="DocumentListItem">\n    <img class="FileTypeImage" src="images/FileManager/Icons/{d["icon"]}.gif" '
        f'alt="{d["icon"]}" />\n    <a id="dnn_ctr397_ViewMeetingPublic_cmisPdfDocuments_rptDocuments_linkTitle_{i}" '
        f'title="Click to view \'{esc(d["title"])}\'" class="TitleLink" href="{esc(d["href"])}" target="_blank">'
        f'{esc(d["title"])}</a>\n    <span class="FileSize">({d["kb"]}Kb)</span>\n  </li>\n'
        for i, d in enumerate(docs)
    )
    return (
        '<div id="dnn_ctr397_ViewMeetingPublic_cmisPdfDocuments_pnlDocuments" class="CmisDocumentList">\n'
        f'<ol class="DocumentList">\n{rows}</ol>\n'
    )


def chrome(name: str, title: str, inner: str, source: str, state: str = "") -> str:
    """A DNN page: the WebForms form (view state), the content pane, the CMIS module."""
    return f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>{esc(title)} - {esc(name)}</title></head>
<body>
<!-- snapshot: text from {esc(source)} -->
<form method="post" action="Default.aspx" id="Form" enctype="application/x-www-form-urlencoded">
<div class="aspNetHidden">
<input type="hidden" name="__EVENTTARGET" id="__EVENTTARGET" value="" />
<input type="hidden" name="__EVENTARGUMENT" id="__EVENTARGUMENT" value="" />
<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="{state}" />
</div>
<div class="aspNetHidden">
<input type="hidden" name="__VIEWSTATEGENERATOR" id="__VIEWSTATEGENERATOR" value="CA0B0334" />
</div>
<div id="dnn_ContentPane">
<div class="DNNModuleContent ModCMISMeetingsC">
{inner}
</div>
</div>
</form>
</body></html>
"""


def meeting_html(
    name: str, council: str, m: dict, items: list[dict], docs: list[dict], page: int, pages: int
) -> str:
    """Page `page` of `pages` of a meeting's documents list: summary, agenda (`items`: href and
    title), the documents on this page, the pager. `m` has id, committee, date and time."""
    when = date.fromisoformat(m["date"])
    summary = (
        "<h1>Meeting Details</h1>\n"
        + holder("Committee", esc(m["committee"]), "Committee")
        + holder("Date/Time", f"{when.day} {when.strftime('%b %Y')} - {m['time']}", "DateTime")
        + holder("Status", "Occurred", "Venue")
    )
    agenda = "".join(
        f'<tr class="AgendaItem"><td class="ItemNumber">{n}.</td><td class="ItemTitle"><a href="{esc(it["href"])}">'
        f"{esc(it['title'])}</a></td></tr>\n"
        for n, it in enumerate(items, 1)
    )
    agenda = (
        f'<div class="AgendaItems">\n<h2>Agenda</h2>\n<table class="AgendaTable">\n{agenda}</table>\n</div>\n'
    )
    pager = ""
    if pages > 1:
        links = " ".join(
            f'<span class="rgCurrentPage">{n}</span>'
            if n == page
            else f"<a href=\"javascript:__doPostBack('{PAGER_TARGET}','Page${n}')\">{n}</a>"
            for n in range(1, pages + 1)
        )
        pager = f'<div class="rgPager">Page: {links}</div>\n'
    inner = summary + agenda + doc_list(docs) + pager + "</div>\n"
    title = f"{m['committee']} - {m['date']}"
    return chrome(name, title, inner, "CMIS meeting page", view_state(council, m["id"], page))


def load_sites(root: Path) -> dict[str, CmisSite]:
    """The CMIS councils of the snapshot at `root` (none when it has no cmis/ folder)."""
    path = root / "cmis" / "site.json"
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {cid: CmisSite(d, root) for cid, d in data["councils"].items()}


def manifest(root: Path) -> list[dict]:
    path = root / "cmis" / "sources.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []


class CmisSite:
    """One CMIS council's install: routes to files, the calendar, postbacks and its faults.

    `prefix` is the path before the install: the council's id in the snapshot, where councils
    share one host; "" where the council has a host of its own (tests/benchmarks/national_sim.py).
    """

    def __init__(self, data: dict, root: Path, prefix: str | None = None):
        self.data, self.root = data, root
        self.id = data["id"]
        self.prefix = f"/{self.id}" if prefix is None else prefix
        self.install = data["root"]  # the install's directory, e.g. "EssexCmis5"
        self.base_path = "/" + data["base_path"]  # the registry-shaped page under the prefix
        self.meetings = {m["id"]: m for m in data["meetings"]}
        self._postbacks_failed: dict[int, int] = {}
        self._lock = threading.Lock()

    def respond(self, rest: str, host: str, form: bytes | None) -> tuple[int, bytes, str, dict]:
        """(status, body, content type, headers) for `rest` (the path under the council prefix)."""
        install, _, inner = rest.partition("/") if self.install else ("", "", rest)
        if install.lower() != self.install.lower():
            return 404, b"<h1>Not found</h1>", "text/html", {}
        session = snapshot.SESSION_RE.match(inner)
        key = snapshot.route_key(inner)
        base = f"http://{host}{self.prefix}" + (f"/{self.install}" if self.install else "")
        if self.data.get("session") and not session and key.partition("?")[0].endswith(".aspx"):
            return (
                302,
                b"",
                "text/html",
                {"Location": f"{base}/{self.data['session']}/{snapshot.SESSION_RE.sub('', inner)}"},
            )
        path = "/" + key.partition("?")[0]
        if m := CALENDAR_RE.search(path):
            return 200, self.calendar(date.fromisoformat(m.group(1)), base).encode(), HTML, {}
        if (m := MEETING_RE.search(path)) and int(m.group(1)) in self.meetings:
            return self.meeting(self.meetings[int(m.group(1))], form)
        found = self.route(key) if form is None else None
        if found is None:
            return 404, b"<h1>The resource cannot be found.</h1>", "text/html", {}
        return 200, *found, {}

    def route(self, key: str) -> tuple[bytes, str] | None:
        """(body, content type) of a page or file other than the calendar and meetings."""
        route = self.data["routes"].get(key)
        if route is None:
            return None
        if route.get("delay"):
            time.sleep(route["delay"])
        return (self.root / route["file"]).read_bytes(), route["type"]

    def meeting_page(self, m: dict, page: int) -> bytes:
        """Page `page` (from 1) of a meeting's documents list."""
        return (self.root / m["pages"][page - 1]).read_bytes()

    def meeting(self, m: dict, form: bytes | None) -> tuple[int, bytes, str, dict]:
        """Page 1 of the documents list on GET; page N to a postback with this meeting's state."""
        pages = m["pages"]
        if form is None:
            return 200, self.meeting_page(m, 1), HTML, {}
        fields = dict(parse_qsl(form.decode("utf-8", "replace")))
        try:
            state = base64.b64decode(fields.get("__VIEWSTATE", "")).decode()
        except ValueError:
            state = ""
        arg = fields.get("__EVENTARGUMENT", "")
        page = int(arg.removeprefix("Page$")) if re.fullmatch(r"Page\$\d+", arg) else 0
        if not state.startswith(f"cmis-snapshot|{self.id}|{m['id']}|") or not 1 <= page <= len(pages):
            return 500, SERVER_ERROR, "text/html", {}
        with self._lock:
            failed = self._postbacks_failed.get(m["id"], 0)
            if failed < m.get("postback_fails", 0):
                self._postbacks_failed[m["id"]] = failed + 1
                return 500, SERVER_ERROR, "text/html", {}
        return 200, self.meeting_page(m, page), HTML, {}

    def calendar(self, month: date, base: str) -> str:
        """The no-JavaScript month calendar, in the markup of tests/fixtures/cmis/calendar_month.html."""
        rows, day, n = [], month, 0
        while day.month == month.month:
            links = "".join(
                f'    <p class="Meeting">\n      <a href="{base}/Meetings/tabid/70/ctl/ViewMeetingPublic/mid/397/'
                f'Meeting/{m["id"]}/Committee/{m["cid"]}/SelectedTab/Documents/Default.aspx">'
                f"{m['time']} {html.escape(m['committee'])}</a>\n    </p>\n"
                for m in self.data["meetings"]
                if m["date"] == day.isoformat()
            )
            cls = "rgAltRow" if n % 2 else "rgRow"
            rows.append(
                f'<tr class="{cls}" id="dnn_ctr397_MeetingCalendarPublicPrinter_grdRadMeeting_ctl00__{n}">\n'
                f'  <td class="SimpleCalendarDate">{day.strftime("%A")}, {day.day} {day.strftime("%B")}</td>\n'
                f"  <td>\n{links}  </td>\n</tr>\n"
            )
            day, n = day + timedelta(days=1), n + 1
        return (
            f"<html>\n<head><title>Calendar of meetings - {html.escape(self.data['name'])}</title></head>\n<body>\n"
            '<div class="DNNModuleContent ModCMISMeetingsC">\n<table class="rgMasterTable" '
            'id="dnn_ctr397_MeetingCalendarPublicPrinter_grdRadMeeting_ctl00">\n'
            + "".join(rows)
            + "</table>\n</div>\n</body>\n</html>\n"
        )
