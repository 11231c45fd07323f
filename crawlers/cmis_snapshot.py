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


def view_state(council: str, meeting: int, page: int) -> str:
    """The __VIEWSTATE a meeting's documents list page carries (opaque to the crawler)."""
    return base64.b64encode(f"cmis-snapshot|{council}|{meeting}|{page}".encode()).decode()


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
    """One CMIS council's install: routes to files, the calendar, postbacks and its faults."""

    def __init__(self, data: dict, root: Path):
        self.data, self.root = data, root
        self.id = data["id"]
        self.install = data["root"]  # the install's directory, e.g. "EssexCmis5"
        self.base_path = "/" + data["base_path"]  # the registry-shaped page under the prefix
        self.meetings = {m["id"]: m for m in data["meetings"]}
        self._postbacks_failed: dict[int, int] = {}
        self._lock = threading.Lock()

    def respond(self, rest: str, host: str, form: bytes | None) -> tuple[int, bytes, str, dict]:
        """(status, body, content type, headers) for `rest` (the path under the council prefix)."""
        install, _, inner = rest.partition("/")
        if install.lower() != self.install.lower():
            return 404, b"<h1>Not found</h1>", "text/html", {}
        session = snapshot.SESSION_RE.match(inner)
        key = snapshot.route_key(inner)
        base = f"http://{host}/{self.id}/{self.install}"
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
        route = self.data["routes"].get(key)
        if route is None or form is not None:
            return 404, b"<h1>The resource cannot be found.</h1>", "text/html", {}
        if route.get("delay"):
            time.sleep(route["delay"])
        return 200, (self.root / route["file"]).read_bytes(), route["type"], {}

    def meeting(self, m: dict, form: bytes | None) -> tuple[int, bytes, str, dict]:
        """Page 1 of the documents list on GET; page N to a postback with this meeting's state."""
        pages = m["pages"]
        if form is None:
            return 200, (self.root / pages[0]).read_bytes(), HTML, {}
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
        return 200, (self.root / pages[page - 1]).read_bytes(), HTML, {}

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
