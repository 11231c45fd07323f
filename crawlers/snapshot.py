"""The offline snapshot: a small ModernGov look-alike serving corpora/snapshot/ on 127.0.0.1.

Each council lives under its own path prefix (`http://127.0.0.1:PORT/HAL`), the way some councils
run ModernGov under `/moderngov`. Real pages come from files built by corpora/build_snapshot.py;
the structural answers (mgWebService.asmx XML, decision listings for a date range, committee and
meeting lists) are rendered here from snapshot/site.json, because their content depends on the
query (date windows) exactly as on a real site.

As on real sites: `V=1` asks for the expanded decision view (headings and label paragraphs, no
table), `V=0` for the table; officer decisions some councils list only on mgListOfficerDecisions;
.aspx pages and web-service answers carry no ETag or Last-Modified (files do); every HTML page's
chrome outside `div#modgov` changes on every request (a visit counter in the header).

Faults: the bundle holds the ones real sites have (a dead 500 link, a slow page, a listing window
slower than the listing timeout, a broken PDF, a redirect, session-id URLs, a windows-1252 page,
a web service answering a 200 HTML page); tests add more at runtime with `inject()`:

    with SnapshotServer() as server:
        fault = server.inject("error", match="/CHO/", status=503)
        ...  # crawl: Chorley fails
        server.clear_faults()
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import re
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, unquote

log = logging.getLogger(__name__)

SNAPSHOT_DIR = Path(__file__).resolve().parent.parent / "corpora" / "snapshot"
SESSION_RE = re.compile(r"\(S\([^)/]*\)\)/", re.I)
FAULT_KINDS = {
    "error",
    "slow",
    "reset",
    "corrupt_pdf",
    "windows-1252",
    "session_duplicate",
    "redirect",
    "robots",
    "error_page",  # 302 to mgError.aspx, as ModernGov does for a page it cannot serve
    "not_xml",  # the web service answers 200 with an HTML page (WAF, ASP.NET error)
    "empty_listing",  # decision listings answer with no decisions
    "moved",  # 301 to the same path on 127.0.0.1 when asked by another host name
}
# Decision listings, and the site.json list each reads.
LISTINGS = {"mgdelegateddecisions.aspx": "listing", "mglistofficerdecisions.aspx": "officer_listing"}
# What a web application firewall answers an automated client, with a 200.
WAF_PAGE = (
    b"<html><head><title>Request Rejected</title></head><body>The requested URL was rejected. "
    b"Please consult with your administrator.<br><br>Your support ID is: 1234567890</body></html>"
)
# ModernGov ignores the layout version (`Ver=4`); two URLs differing only by it are one page.
IGNORED_PARAMS = {"ver"}


def route_key(path: str) -> str:
    """How a page is looked up: session segment dropped, keys lower-cased (ASP.NET ignores their
    case), layout-only params dropped, params sorted."""
    p, _, q = SESSION_RE.sub("", path.split("#")[0]).partition("?")
    pairs = sorted((k.lower(), v) for k, v in parse_qsl(q) if k.lower() not in IGNORED_PARAMS)
    return unquote(p).lower() + ("?" + "&".join(f"{k}={v}" for k, v in pairs) if pairs else "")


@dataclass
class Fault:
    """One runtime fault: `kind` applied to requests whose path contains `match` (case-insensitive).

    kinds: error (HTTP `status`), slow (`seconds` before answering), reset (connection closed),
    corrupt_pdf (PDF cut in half), windows-1252 (HTML re-encoded), session_duplicate (the page's
    links rewritten to session-id URLs), redirect (302 to the session-id URL), robots (robots.txt
    disallows `match`). `times` limits it to the first N matching requests; `hits` counts them.
    """

    kind: str
    match: str = ""
    status: int = 500
    seconds: float = 3.0
    times: int | None = None
    hits: int = 0

    def applies(self, path: str) -> bool:
        if self.match.lower() not in path.lower() or (self.times is not None and self.hits >= self.times):
            return False
        self.hits += 1
        return True


def _dmy(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def _parse_dmy(s: str) -> date:
    return datetime.strptime(s.strip(), "%d/%m/%Y").date()


class Site:
    """One council's site in the snapshot: routes to files, plus the structure for listings."""

    def __init__(self, data: dict, root: Path):
        self.data, self.root = data, root
        self.id = data["id"]
        self.meetings = {m["id"]: m for m in data["meetings"]}

    def committees_xml(self) -> str:
        rows = "".join(
            f"  <committee>\n    <committeeid>{c['id']}</committeeid>\n    <committeetitle>{html.escape(c['title'])}"
            "</committeetitle>\n    <committeedeleted>False</committeedeleted>\n    <committeeexpired>False"
            "</committeeexpired>\n    <committeecategory>Governance and Decision Making Committees</committeecategory>\n"
            "  </committee>\n"
            for c in self.data["committees"]
        )
        return (
            f'<?xml version="1.0" encoding="utf-8"?>\n<committees>\n  <committeescount> '
            f"{len(self.data['committees'])}</committeescount>\n{rows}</committees>\n"
        )

    def meetings_in(self, cid: int | None, start: date, end: date) -> list[dict]:
        return [
            m
            for m in self.data["meetings"]
            if (cid is None or m["cid"] == cid) and start <= date.fromisoformat(m["date"]) <= end
        ]

    def meetings_xml(self, cid: int, start: date, end: date) -> str:
        ms = self.meetings_in(cid, start, end)
        title = next((c["title"] for c in self.data["committees"] if c["id"] == cid), "")
        rows = "".join(
            f"      <meeting>\n        <meetingid>{m['id']}</meetingid>\n        <meetingdate>"
            f"{_dmy(date.fromisoformat(m['date']))}</meetingdate>\n        <meetingstatus>{m['status']}</meetingstatus>\n"
            "        <meetingtime>10.00 am</meetingtime>\n        <iswebcast>False</iswebcast>\n      </meeting>\n"
            for m in ms
        )
        return (
            f'<?xml version="1.0" encoding="utf-8"?>\n<getmeetings>\n  <meetingscount> {len(ms)}</meetingscount>\n'
            f"  <committeescount> 1</committeescount>\n  <committee>\n    <committeeid>{cid}</committeeid>\n"
            f"    <committeetitle>{html.escape(title)}</committeetitle>\n    <committeemeetingcount> {len(ms)}"
            f"</committeemeetingcount>\n    <committeemeetings>\n{rows}    </committeemeetings>\n  </committee>\n"
            "</getmeetings>\n"
        )

    def meeting_xml(self, m: dict, base: str) -> str:
        d = _dmy(date.fromisoformat(m["date"]))
        items = []
        for it in m["items"]:
            docs = "".join(
                f"        <linkeddoc>\n          <attachmentid>{doc['id'].lstrip('sg')}</attachmentid>\n"
                f"          <title>{html.escape(doc['title'])}</title>\n          <isurl>False</isurl>\n"
                f"          <url>{html.escape(base + '/' + doc['href'])}</url>\n          <isrestricted>False</isrestricted>\n"
                f"          <publicationdate>{d}</publicationdate>\n        </linkeddoc>\n"
                for doc in it["docs"]
            )
            agenda = html.escape(
                f'<div class="WordSection1"><p class="MsoNormal">{html.escape(it["text"][:300])}</p></div>'
            )
            items.append(
                f"    <agendaitem>\n      <agendaitemid>{it['id']}</agendaitemid>\n      <agendaitemtitle>"
                f"{html.escape(it['title'])}</agendaitemtitle>\n      <agendatext>{agenda}</agendatext>\n"
                f"      <agendaitemnumber>{it['number']}</agendaitemnumber>\n      <fulldisplaynumberformat>"
                f"{it['number']}.</fulldisplaynumberformat>\n      <isrestricted>False</isrestricted>\n"
                f"      <isdecision>False</isdecision>\n      <meetingdate>{d}</meetingdate>\n"
                f"      <linkeddocuments>\n{docs}      </linkeddocuments>\n    </agendaitem>\n"
            )
        return (
            f'<?xml version="1.0" encoding="utf-8"?>\n<meeting>\n  <meetingid>{m["id"]}</meetingid>\n'
            f"  <meetingdate>{d}</meetingdate>\n  <meetingstatus>{m['status']}</meetingstatus>\n"
            f"  <committeetitle>{html.escape(m['committee'])}</committeetitle>\n  <agendapublished>True</agendapublished>\n"
            f"  <minutepublished>{'True' if m['page'] else 'False'}</minutepublished>\n  <agendaitems>\n"
            f"{''.join(items)}  </agendaitems>\n</meeting>\n"
        )

    def page(self, title: str, inner: str) -> str:
        return (
            f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)} - '
            f'{html.escape(self.data["name"])}</title></head>\n<body>\n<div id="modgov"><div class="mgHeader">'
            f'<h1  class="mgMainTitleTxt" >{html.escape(title)}</h1></div>\n{inner}\n</div>\n</body></html>\n'
        )

    def committees_html(self) -> str:
        rows = "".join(
            f'<li><a  href="mgCommitteeDetails.aspx?ID={c["id"]}" >{html.escape(c["title"])}</a></li>\n'
            for c in self.data["committees"]
        )
        return self.page(
            "Committee structure",
            f'<div class="mgContent" >\n<ul  class="mgBulletList" >\n{rows}</ul>\n</div>',
        )

    def meetings_html(self, cid: int, year: int) -> str:
        ms = self.meetings_in(cid, date(year, 1, 1), date(year, 12, 31))
        rows = "".join(
            f'<li><a  href="ieListDocuments.aspx?CId={m["cid"]}&amp;MId={m["id"]}&amp;Ver=4" >'
            f"{date.fromisoformat(m['date']).strftime('%d %b %Y')} 10.00 am</a></li>\n"
            for m in ms
        )
        return self.page(
            "Browse meetings", f'<div class="mgContent" >\n<ul  class="mgBulletList" >\n{rows}</ul>\n</div>'
        )

    def meeting_html(self, m: dict) -> str:
        """A meeting without a captured page: its agenda items and documents, in ModernGov's markup."""
        rows = "".join(
            f'<tr><td class="mgItemNumberCell" ><p  class="mgAiTitleTxt" >{it["number"]}.</p></td><td>'
            f'<p  class="mgAiTitleTxt" ><a  href="mgAi.aspx?ID={it["id"]}" >{html.escape(it["title"])}</a></p></td></tr>\n'
            for it in m["items"]
        )
        when = date.fromisoformat(m["date"]).strftime("%A, %d %B, %Y")
        inner = (
            f'<div class="mgSubTitle" >\n<h2 class="mgSubTitleTxt">{html.escape(m["committee"])} - {when} 10.00 am</h2>\n'
            f'</div>\n<div class="mgContent" >\n<table class="mgItemTable" >\n{rows}</table>\n</div>'
        )
        return self.page("Agenda", inner)

    def listed(self, key: str, start: date, end: date) -> list[dict]:
        return [r for r in self.data.get(key, []) if start <= date.fromisoformat(r["date"]) <= end]

    def decisions_expanded_html(self, rows: list[dict]) -> str:
        """The expanded view (V=1): a heading per decision, "dd/mm/yyyy - title ref: N", with its
        label paragraphs, as in the Sheffield listings captured as dev texts d132 and d133."""
        out = []
        for r in rows:
            ref = r["href"].rpartition("=")[2]
            out.append(
                f'<h3 class="mgSubSubTitleTxt"><a  href="{html.escape(r["href"])}" >{_dmy(date.fromisoformat(r["date"]))}'
                f" - {html.escape(r['title'])} ref: {ref}</a>&nbsp;&nbsp;&nbsp;&nbsp;"
                '<span  class="mgPlanItemInForce" >Recommendations Approved</span></h3>\n'
                f'<p><span  class="mgLabel" >Decision published: </span>{_dmy(date.fromisoformat(r["date"]))}</p>\n'
            )
        return self.page(
            "Decisions",
            '<div class="mgContent" >\n<h2 class="mgSectionTitle">Decisions published</h2>\n'
            + "".join(out)
            + "</div>",
        )

    def decisions_html(self, rows: list[dict]) -> str:
        """A decision listing's table view (V=0), rows as in the captured decisions_list.html."""
        out = []
        for r in rows:
            d = date.fromisoformat(r["date"])
            t = html.escape(r["title"])
            out.append(
                f'<tr><td  class="mgMainTxt" ><a  href="{html.escape(r["href"])}"  title="Link&#32;to&#32;decision&#32;'
                f'details&#32;for&#32;{t}">{t}</a></td><td  class="mgMainTxt" >{_dmy(d).replace("/", "&#47;")}</td>'
                f'<td  class="mgMainTxt" >{_dmy(d).replace("/", "&#47;")}</td><td  class="mgMainTxt" >Not for call-in</td></tr>\n'
            )
        table = (
            '<table class="mgTabTable tablesorter"  summary="Table of decision summary data">\n<caption  class="mgSectionTitle" >'
            "Decisions published</caption>\n<thead class='mgFilterHeaderRow'><tr>\n<th abbr='Title' scope='col'>Title</th>\n"
            "<th abbr='Published' scope='col'>Date</th>\n<th abbr='Applies' scope='col'>Effective from</th>\n"
            "<th abbr='Call-ins' scope='col'>Call-ins</th>\n</tr></thead><tbody>\n"
            + "".join(out)
            + "</tbody></table>"
        )
        return self.page("Decisions", f'<div class="mgContent" >\n{table}\n</div>')


class Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt: str, *args) -> None:
        log.debug("snapshot %s", fmt % args)

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        snap = self.server.snapshot
        for fault in snap.active("slow", self.path):
            time.sleep(fault.seconds)
        if snap.active("reset", self.path):
            self.close_connection = True
            self.connection.shutdown(2)
            return
        for fault in snap.active("error", self.path):
            return self.send(
                fault.status, b"<h1>Server Error in '/' Application.</h1>", "text/html; charset=utf-8"
            )
        try:
            status, body, ctype, headers = snap.respond(self.path, self.headers.get("Host", ""))
        except Exception:  # a bug here must show as a 500, as on a real site, not kill the thread
            log.exception("snapshot failed on %s", self.path)
            status, body, ctype, headers = 500, b"internal error", "text/plain", {}
        self.send(status, body, ctype, headers)

    def send(self, status: int, body: bytes, ctype: str, headers: dict | None = None) -> None:
        headers = dict(headers or {})
        # ASP.NET pages and web-service answers carry no validators; static files do.
        if status == 200 and not re.search(r"\.as[pm]x", self.path, re.I):
            etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
            headers["ETag"] = etag
            if self.headers.get("If-None-Match") == etag:
                status, body = 304, b""
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        if status != 304:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    snapshot: SnapshotServer

    def handle_error(self, request, client_address) -> None:
        # Clients hanging up (timeouts, killed crawls) are routine here, not errors worth a traceback.
        log.debug("snapshot: client %s went away", client_address, exc_info=True)


class SnapshotServer:
    """Serve the bundled snapshot on 127.0.0.1 (`port=0`: a free port) until stopped."""

    def __init__(self, port: int = 0, faults: list[Fault] | None = None, root: Path = SNAPSHOT_DIR):
        self.root = Path(root)
        data = json.loads((self.root / "site.json").read_text(encoding="utf-8"))
        self.sites = {cid: Site(d, self.root) for cid, d in data["councils"].items()}
        self.faults: list[Fault] = list(faults or [])
        self.visits = 0
        self._lock = threading.Lock()
        self._httpd = _HTTPServer(("127.0.0.1", port), Handler)
        self._httpd.snapshot = self
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def base_url_for(self, council_id: str) -> str:
        if council_id not in self.sites:
            raise KeyError(f"council {council_id!r} is not in the snapshot")
        return f"{self.url}/{council_id}"

    @property
    def councils(self) -> list[str]:
        return sorted(self.sites)

    def start(self) -> SnapshotServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="snapshot", daemon=True)
        self._thread.start()
        log.info("serving the snapshot of %d councils at %s", len(self.sites), self.url)
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> SnapshotServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- faults ------------------------------------------------------------------------------

    def inject(self, kind: str, match: str = "", **params) -> Fault:
        """Add a runtime fault (see `Fault`) and return it (its `hits` count what it touched)."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; one of {sorted(FAULT_KINDS)}")
        fault = Fault(kind, match, **params)
        with self._lock:
            self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()

    def active(self, kind: str, path: str) -> list[Fault]:
        with self._lock:
            return [f for f in self.faults if f.kind == kind and f.applies(path)]

    # -- content -----------------------------------------------------------------------------

    def manifest(self) -> list[dict]:
        """What the snapshot holds: one entry per page or PDF, with its council and source URL."""
        return json.loads((self.root / "sources.json").read_text(encoding="utf-8"))

    def robots(self) -> bytes:
        lines = ["User-agent: *", "Disallow: /*/mgCalendarMonthView.aspx"]
        lines += [f"Disallow: {f.match}" for f in self.faults if f.kind == "robots"]
        return ("\n".join(lines) + "\n").encode()

    def volatile_chrome(self, body: bytes) -> bytes:
        """Council chrome that differs on every visit (outside div#modgov), as banners, asset
        versions and "last updated" stamps do on real sites."""
        with self._lock:
            self.visits += 1
            visit = self.visits
        return body.replace(
            b"<body>", f'<body><div class="siteBanner" data-visit="{visit}"></div>'.encode(), 1
        )

    def respond(self, raw_path: str, host: str) -> tuple[int, bytes, str, dict]:
        """(status, body, content type, headers) for a GET of `raw_path`."""
        if raw_path == "/robots.txt":
            return 200, self.robots(), "text/plain", {}
        parts = raw_path.lstrip("/").split("/", 1)
        site = self.sites.get(parts[0])
        if site is None or len(parts) < 2:
            return 404, b"<h1>Not found</h1>", "text/html", {}
        rest = parts[1]
        base = f"http://{host}/{site.id}"
        if self.active("moved", raw_path) and not host.startswith("127.0.0.1"):
            return 301, b"", "text/html", {"Location": f"{self.url}{raw_path}"}
        if self.active("error_page", raw_path):
            return 302, b"", "text/html", {"Location": f"{base}/mgError.aspx"}
        if route_key(rest) == "mgerror.aspx":
            return (
                200,
                site.page("Error", '<div class="mgContent" ><p>Sorry, an error occurred.</p></div>').encode(),
                "text/html; charset=utf-8",
                {},
            )
        session = SESSION_RE.match(rest)
        key = route_key(rest)
        route = site.data["routes"].get(key + "#redirect")
        if route and not session:
            return 302, b"", "text/html", {"Location": f"{base}/{route['redirect']}"}
        if self.active("redirect", raw_path) and not session:
            return 302, b"", "text/html", {"Location": f"{base}/(S(r3d1rectf4ult0000000000))/{rest}"}
        if site.data.get("session") and not session and key.partition("?")[0].endswith(".aspx"):
            # Cookieless sessions: ModernGov moves a visitor without one into a session URL.
            return 302, b"", "text/html", {"Location": f"{base}/{site.data['session']}/{rest}"}
        status, body, ctype = self._content(site, key, base)
        if status == 200 and ctype.startswith("text/html"):
            body = self.volatile_chrome(body)
            if self.active("windows-1252", raw_path):
                text = body.decode(ctype.partition("charset=")[2] or "utf-8")
                body, ctype = (
                    text.encode("cp1252", errors="xmlcharrefreplace"),
                    "text/html; charset=windows-1252",
                )
            if self.active("session_duplicate", raw_path):
                # Links carry a session id, as on cookieless sites: pages reached plainly
                # elsewhere are linked a second time, under a session-id URL.
                body = re.sub(
                    rb'href="([A-Za-z]+\.aspx[^"]*)"', rb'href="(S(dup11cate5ess10n1d000000))/\1"', body
                )
        if status == 200 and ctype == "application/pdf" and self.active("corrupt_pdf", raw_path):
            body = body[: len(body) // 2]
        return status, body, ctype, {}

    def _content(self, site: Site, key: str, base: str) -> tuple[int, bytes, str]:
        path, _, _ = key.partition("?")
        q = dict(parse_qsl(key.partition("?")[2]))
        html_type = "text/html; charset=utf-8"
        if path.startswith("mgwebservice.asmx/"):
            if not site.data["web_service"]:
                return 404, b"<h1>The resource cannot be found.</h1>", "text/html"
            op = path.split("/", 1)[1]
            if self.active("not_xml", f"/{site.id}/{path}") or site.data["web_service"] == "html":
                return 200, WAF_PAGE, "text/html; charset=utf-8"
            if op == "getcommittees":
                return 200, site.committees_xml().encode(), "text/xml; charset=utf-8"
            if op == "getmeetings":
                start, end = _parse_dmy(q["sfromdate"]), _parse_dmy(q["stodate"])
                return (
                    200,
                    site.meetings_xml(int(q["lcommitteeid"]), start, end).encode(),
                    "text/xml; charset=utf-8",
                )
            if op == "getmeeting" and int(q.get("lmeetingid", 0)) in site.meetings:
                return (
                    200,
                    site.meeting_xml(site.meetings[int(q["lmeetingid"])], base).encode(),
                    "text/xml; charset=utf-8",
                )
            return 500, b"<soap:Fault>bad request</soap:Fault>", "text/xml"
        if path == "mglistcommittees.aspx":
            return 200, site.committees_html().encode(), html_type
        if path == "ielistmeetings.aspx" and "cid" in q:
            return (
                200,
                site.meetings_html(int(q["cid"]), int(q.get("year") or date.today().year)).encode(),
                html_type,
            )
        if path in LISTINGS:
            if "dr" in q:
                a, _, b = q["dr"].partition("-")
                start, end = _parse_dmy(a), _parse_dmy(b)
            else:
                end = date.today()
                start = end - timedelta(days=28)
            slow = site.data.get("slow_listing")
            if (
                slow
                and (end - start).days > slow["days"]
                and start <= date.fromisoformat(slow["covers"]) <= end
            ):
                time.sleep(slow["seconds"])  # ModernGov renders the whole window before a byte
            rows = (
                []
                if self.active("empty_listing", f"/{site.id}/{path}")
                else site.listed(LISTINGS[path], start, end)
            )
            if q.get("v") == "1":
                return 200, site.decisions_expanded_html(rows).encode(), html_type
            return 200, site.decisions_html(rows).encode(), html_type
        route = site.data["routes"].get(key)
        if route is None and path == "ielistdocuments.aspx" and int(q.get("mid", 0)) in site.meetings:
            m = site.meetings[int(q["mid"])]
            if m["page"]:
                route = site.data["routes"][m["page"]]
            else:
                return 200, site.meeting_html(m).encode(), html_type
        if route is None:
            return 404, b"<h1>The resource cannot be found.</h1>", "text/html"
        if "status" in route:
            return route["status"], b"<h1>Server Error in '/' Application.</h1>", "text/html"
        if route.get("delay"):
            time.sleep(route["delay"])
        return 200, (self.root / route["file"]).read_bytes(), route["type"]
