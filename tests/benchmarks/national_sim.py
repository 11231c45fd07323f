"""A national crawl, simulated: every registry council as its own loopback host, crawled at the
project's real politeness settings (`make bench-national`).

    python -m tests.benchmarks.national_sim [--councils N] [--meetings 12] [--decisions 30]

Every registry council a spider covers gets a host of its own on 127.0.0.0/8 (127.1.x.y: Linux
routes the whole range to lo), all on one port, so Scrapy's per-host download slots, delays and
robots.txt work exactly as against real sites; the rest are skipped, counted by the registry's
reason. ModernGov councils get ModernGov look-alikes (web service, decision listings and meeting
pages rendered by crawlers.snapshot.Site); CMIS councils get CMIS installs at their registry
path (month calendars, meeting pages with paged documents lists reached by postback, some in
cookieless-session URLs: crawlers.cmis_snapshot.CmisSite), crawled by the real CMIS spider.
Decision, agenda-item and PDF bodies are the snapshot's real captures, marked per page so every
page is its own document. A few hosts are slow (every answer 1.5 s late), a few fail a fifth of
their requests with 503, and a few are dead (nothing listens: connection refused).

The run: a full back-fill (from the first of the January the simulated sites' three years of
meetings begin in: BACKFILL_SINCE), then 1% of content pages change, then an incremental night.
Measured: pages/s, the crawl worker's private memory and CPU time over each run, the store
(crawl state included) on disk, and from the server's own request log the per-host request
rate, asserted never to beat the configured politeness. Bounded: each spider closes after
--budget seconds (CLOSESPIDER_TIMEOUT) and the server answers at most --max-requests. Ends with
a projection to the real registry.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import selectors
import shutil
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from crawlers import settings as crawl_settings
from crawlers.cmis_snapshot import ITEM_VIEW, CmisSite, meeting_html
from crawlers.registry import Council, load_registry
from crawlers.snapshot import LISTINGS, SNAPSHOT_DIR, Handler, Site, _HTTPServer, _parse_dmy, route_key
from crawlers.spiders.cmis import CmisMeetingsSpider
from papers.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SLOW_SECONDS = 1.5
FAIL_SHARE = 0.2  # of a failing host's requests answered 503
ROLES = {"dead": (29, 5), "slow": (31, 10), "failing": (37, 15)}  # council n plays it when n % a == b
SESSION_EVERY = 4  # every fourth CMIS install keeps visitors in cookieless-session URLs
YEARS = 3  # of meetings and decisions on every simulated site
WINDOW = 10  # consecutive requests to one host whose span the politeness check bounds
FLAT = 1.2  # a run's second-half memory peak within this of its first half's: flat
JITTER = 0.5  # seconds of server-side timing noise allowed at a window's two ends
ROBOTS = b"User-agent: *\nDisallow: /mgCalendarMonthView.aspx\n"
COMMITTEES = ("Cabinet", "Planning Committee", "Audit and Governance Committee", "Adults and Health Scrutiny")


@dataclass
class Templates:
    """Real captured bodies from the bundled snapshot, by kind (decision, agenda_item, pdf)."""

    bodies: dict[str, list[bytes]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def load(cls, root: Path = SNAPSHOT_DIR) -> Templates:
        t = cls()
        data = json.loads((root / "site.json").read_text(encoding="utf-8"))
        for site in data["councils"].values():
            for route in site["routes"].values():
                kind = "pdf" if route.get("type") == "application/pdf" else route.get("kind")
                if kind in {"decision", "agenda_item", "pdf"} and "file" in route:
                    t.bodies[kind].append((root / route["file"]).read_bytes())
        # CMIS agenda items, their links made relative to the install (they name the snapshot's).
        for site in json.loads((root / "cmis" / "site.json").read_text(encoding="utf-8"))[
            "councils"
        ].values():
            install = f"/{site['id']}/{site['root']}/".encode()
            for key, route in site["routes"].items():
                if "viewcmis_decisiondetails" in key:
                    t.bodies["cmis_item"].append(
                        (root / route["file"]).read_bytes().replace(install, b"{base}/")
                    )
        return t

    def body(self, kind: str, n: int, mark: str = "", base: str = "") -> bytes:
        """Template ``n`` of a kind; HTML gets ``mark`` in a comment inside what is stored of it
        (ModernGov's content area, div#modgov), so each page is distinct and a changed mark a
        changed page, and a CMIS page its install's path for ``{base}``."""
        raw = self.bodies[kind][n % len(self.bodies[kind])]
        if kind == "pdf":
            return raw
        comment = f"<!-- {mark} -->".encode()
        raw = raw.replace(b"{base}", base.encode())
        if b'<div id="modgov">' in raw:
            return raw.replace(b'<div id="modgov">', b'<div id="modgov">' + comment, 1)
        return raw.replace(b"</body>", comment + b"</body>", 1)


def host_of(index: int) -> str:
    """The loopback address of the ``index``-th simulated council: 127.1.0.1, 127.1.0.2, ..."""
    return f"127.1.{index // 250}.{index % 250 + 1}"


def role_of(index: int) -> str:
    for role, (every, at) in ROLES.items():
        if index % every == at:
            return role
    return "ok"


class SimCouncil:
    """One ModernGov council's site: committees, meetings with agenda items, decisions, all dated
    over the last YEARS (meetings up to a month ahead), generated from a seed."""

    platform = "moderngov"

    def __init__(self, index: int, council: Council, meetings: int, decisions: int):
        rng = random.Random(f"{council.id}-{index}")
        self.index, self.id, self.host, self.role = index, council.id, host_of(index), role_of(index)
        self.name, self.registry_url = council.name, council.base_url
        first = backfill_since()
        span = (date.today() + timedelta(days=30) - first).days

        def day() -> str:
            return (first + timedelta(days=rng.randrange(span))).isoformat()

        committees = [{"id": 100 + n, "title": t} for n, t in enumerate(COMMITTEES)]
        ms = []
        for n in range(meetings):
            c = committees[n % len(committees)]
            items = [
                {
                    "id": 10_000 + n * 10 + k,
                    "number": k + 1,
                    "title": f"Item {k + 1} of meeting {n}",
                    "text": "",
                    "docs": (
                        [{"id": f"s{n}{k}", "title": "Report", "href": f"documents/s{n}{k}/Report.pdf"}]
                        if rng.random() < 0.5
                        else []
                    ),
                }
                for k in range(4)
            ]
            ms.append(
                {
                    "id": 5000 + n,
                    "cid": c["id"],
                    "committee": c["title"],
                    "date": day(),
                    "status": "Confirmed",
                    "time": "10:00",
                }
                | {"page": None, "items": items, "docs": []}
            )
        listing = [
            {"date": day(), "href": f"ieDecisionDetails.aspx?ID={900 + n}", "title": f"Decision {n}"}
            for n in range(decisions)
        ]
        self.data = {
            "id": self.id,
            "name": self.name,
            "committees": committees,
            "meetings": ms,
            "listing": listing,
        }
        self.site = Site(self.data | {"routes": {}, "web_service": True, "session": None}, SNAPSHOT_DIR)
        self.versions: dict[str, int] = {}  # route key -> content version (a change bumps it)
        self.base_url = self.netloc = ""  # set by the server once its port is known

    def set_port(self, port: int) -> None:
        self.netloc = f"{self.host}:{port}"
        self.base_url = f"http://{self.netloc}"

    def content_keys(self) -> list[str]:
        """The route keys of every content page (what a night's 1% of changes picks from)."""
        keys = [f"mgai.aspx?id={it['id']}" for m in self.data["meetings"] for it in m["items"]]
        return keys + [r["href"].lower() for r in self.data["listing"]]

    def mark(self, key: str) -> str:
        return f"{self.id} {key} v{self.versions.get(key, 0)}"

    def respond(
        self, raw_path: str, form: bytes | None, templates: Templates
    ) -> tuple[int, bytes, str, dict]:
        """(status, body, content type, headers) for a GET of ``raw_path`` (a POST of ``form``)."""
        key = route_key(raw_path.lstrip("/"))
        path, _, query = key.partition("?")
        q = dict(parse_qsl(query))
        xml, page = "text/xml; charset=utf-8", "text/html; charset=utf-8"
        site = self.site
        if form is not None:
            return 405, b"<h1>Method not allowed</h1>", "text/html", {}
        if path == "mgwebservice.asmx/getcommittees":
            return 200, site.committees_xml().encode(), xml, {}
        if path == "mgwebservice.asmx/getmeetings":
            start, end = _parse_dmy(q["sfromdate"]), _parse_dmy(q["stodate"])
            return 200, site.meetings_xml(int(q["lcommitteeid"]), start, end).encode(), xml, {}
        if path == "mgwebservice.asmx/getmeeting" and int(q.get("lmeetingid", 0)) in site.meetings:
            return 200, site.meeting_xml(site.meetings[int(q["lmeetingid"])], self.base_url).encode(), xml, {}
        if path in LISTINGS:  # decisions (and officer decisions, none here) in a date range
            a, _, b = q.get("dr", "").partition("-")
            rows = site.listed(LISTINGS[path], _parse_dmy(a), _parse_dmy(b))
            render = site.decisions_expanded_html if q.get("v") == "1" else site.decisions_html
            return 200, render(rows).encode(), page, {}
        if path == "ielistdocuments.aspx" and int(q.get("mid", 0)) in site.meetings:
            return 200, site.meeting_html(site.meetings[int(q["mid"])]).encode(), page, {}
        if path.startswith("documents/") or path.endswith(".pdf"):
            return 200, templates.body("pdf", pdf_index(key)), "application/pdf", {}
        kind = {"mgai.aspx": "agenda_item", "iedecisiondetails.aspx": "decision"}.get(path)
        if kind:
            return 200, templates.body(kind, int(q.get("id", 0)), self.mark(key)), page, {}
        # Issue histories and the like, linked from the captured pages: a page with no links.
        return 200, site.page("Issue", f"<p>{self.id} {key}</p>").encode(), page, {}


class SimCmisSite(CmisSite):
    """A generated CMIS install: calendar, meetings and postbacks as CmisSite serves them; meeting
    pages rendered from the council's data, agenda items and files from the templates."""

    def __init__(self, council: SimCmisCouncil, prefix: str, install: str, templates: Templates):
        data = council.data | {"root": install, "base_path": "", "routes": {}}
        super().__init__(data, SNAPSHOT_DIR, prefix=prefix)
        self.council, self.templates = council, templates
        self.base = prefix + (f"/{install}" if install else "")

    def meeting_page(self, m: dict, page: int) -> bytes:
        items = [
            {"href": f"{self.base}/{ITEM_VIEW.format(guid=it['guid'])}", "title": it["title"]}
            for it in m["items"]
        ]
        docs = [
            {"href": f"{self.base}/{d['href']}", "title": d["title"], "kb": 16, "icon": "pdf"}
            for it in m["items"]
            for d in it["docs"]
        ]
        size = m["page_size"]
        chunk = docs[(page - 1) * size : page * size]
        return meeting_html(self.data["name"], self.id, m, items, chunk, page, len(m["pages"])).encode()

    def route(self, key: str) -> tuple[bytes, str] | None:
        if key.startswith("document.ashx"):
            return self.templates.body("pdf", pdf_index(key)), "application/pdf"
        if "viewcmis_decisiondetails" in key:
            n = int(hashlib.sha1(key.encode()).hexdigest(), 16)
            body = self.templates.body("cmis_item", n, self.council.mark(key), self.base)
            return body, "text/html; charset=utf-8"
        return None


class SimCmisCouncil(SimCouncil):
    """One CMIS council: the same meetings, served by a CMIS install at its registry path (the
    install's root as the CMIS spider finds it); a third of meetings page their documents list
    one file a page, so it is read by postback. CMIS lists no decisions apart from agenda items."""

    platform = "cmis"

    def __init__(self, index: int, council: Council, meetings: int, decisions: int, templates: Templates):
        super().__init__(index, council, meetings, 0)
        root = urlsplit(CmisMeetingsSpider.install_root(council.base_url)).path.strip("/")
        prefix, _, install = root.rpartition("/")
        self.path = urlsplit(council.base_url).path or "/"
        if self.index % SESSION_EVERY == 0:
            self.data["session"] = f"(S({hashlib.sha1(self.id.encode()).hexdigest()[:24]}))"
        for m in self.data["meetings"]:
            for it in m["items"]:
                h = hashlib.sha1(f"{self.id}:{it['id']}".encode()).hexdigest()
                it["guid"] = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"
                it["docs"] = [
                    {
                        "title": f"{it['title']} - report",
                        "href": f"Document.ashx?czJKcaeAi5tUFL1DTL2UE4sOqCLHzE2A={h[:32]}",
                    }
                ] * bool(it["docs"])
            m["page_size"] = 1 if m["id"] % 3 == 0 else 10
            n_docs = sum(len(it["docs"]) for it in m["items"])
            m["pages"] = list(range(max(1, -(-n_docs // m["page_size"]))))
        self.cmis = SimCmisSite(self, "/" + prefix if prefix else "", install, templates)

    def set_port(self, port: int) -> None:
        super().set_port(port)
        self.base_url += self.path

    def content_keys(self) -> list[str]:
        return [
            route_key(ITEM_VIEW.format(guid=it["guid"])) for m in self.data["meetings"] for it in m["items"]
        ]

    def respond(
        self, raw_path: str, form: bytes | None, templates: Templates
    ) -> tuple[int, bytes, str, dict]:
        prefix = self.cmis.prefix
        if not raw_path.lower().startswith(prefix.lower() + "/"):
            return 404, b"<h1>Not found</h1>", "text/html", {}
        return self.cmis.respond(raw_path[len(prefix) + 1 :], self.netloc, form)


def pdf_index(key: str) -> int:
    """Which PDF template a file's URL gets (the same one every time)."""
    return int(hashlib.sha1(key.encode()).hexdigest(), 16)


def backfill_since() -> date:
    """The first of the January the simulated sites' meetings and decisions begin in."""
    return date(date.today().year - YEARS, 1, 1)


class SimHandler(Handler):
    """Answers for the council whose address the connection came in on; logs every request."""

    server: _SimHTTPServer
    status = 0  # as sent (a 200 may go out as 304)

    def send_response(self, code: int, message: str | None = None) -> None:
        self.status = code
        super().send_response(code, message)

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.serve(None)

    def do_POST(self) -> None:  # noqa: N802 (http.server's name): CMIS postbacks
        self.serve(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

    def serve(self, form: bytes | None) -> None:
        sim, council = self.server.sim, self.server.council
        started = time.monotonic()
        allowed = sim.begin(council.host)
        try:
            if council.role == "slow":
                time.sleep(SLOW_SECONDS)
            if not allowed:
                self.send(503, b"request cap reached", "text/plain")
            elif council.role == "failing" and sim.rng_for(council.host).random() < FAIL_SHARE:
                self.send(503, b"<h1>Service Unavailable</h1>", "text/html")
            elif self.path == "/robots.txt":
                self.send(200, ROBOTS, "text/plain")
            else:
                self.send(*council.respond(self.path, form, sim.templates))
        finally:
            sim.end(council.host, started, self.path, self.status)


class _SimHTTPServer(_HTTPServer):
    sim: NationalServer
    council: SimCouncil


@dataclass
class Hit:
    host: str
    started: float
    ended: float
    path: str
    status: int


class NationalServer:
    """One listening socket per live council host, all served from one selector thread."""

    def __init__(
        self, councils: list[SimCouncil], templates: Templates, max_requests: int = 1_000_000, port: int = 0
    ):
        self.councils = councils
        self.templates = templates
        self.max_requests = max_requests
        self.log: list[Hit] = []
        self.in_flight: dict[str, int] = defaultdict(int)
        self.max_in_flight: dict[str, int] = defaultdict(int)
        self._rngs: dict[str, random.Random] = {}
        self._lock = threading.Lock()
        self._servers: list[_SimHTTPServer] = []
        self._selector = selectors.DefaultSelector()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.port = port
        for c in councils:
            if c.role == "dead":
                continue  # nothing listens there: connection refused, as for a site that is down
            srv = _SimHTTPServer((c.host, self.port), SimHandler)
            self.port = srv.server_address[1]  # the first bind picks a free port; the rest share it
            srv.sim, srv.council = self, c
            self._servers.append(srv)
            self._selector.register(srv, selectors.EVENT_READ)
        for c in councils:
            c.set_port(self.port)

    def rng_for(self, host: str) -> random.Random:
        with self._lock:
            return self._rngs.setdefault(host, random.Random(host))

    def begin(self, host: str) -> bool:
        """Count a request in; False once the run's cap is reached (it is answered 503)."""
        with self._lock:
            self.in_flight[host] += 1
            self.max_in_flight[host] = max(self.max_in_flight[host], self.in_flight[host])
            return len(self.log) < self.max_requests

    def end(self, host: str, started: float, path: str, status: int) -> None:
        with self._lock:
            self.in_flight[host] -= 1
            self.log.append(Hit(host, started, time.monotonic(), path, status))

    def _serve(self) -> None:
        while not self._stop.is_set():
            for key, _ in self._selector.select(timeout=0.2):
                key.fileobj._handle_request_noblock()

    def __enter__(self) -> NationalServer:
        self._thread = threading.Thread(target=self._serve, name="national-sim", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        for srv in self._servers:
            srv.server_close()


# -- politeness, from the server's log ---------------------------------------------------------


def politeness(log: list[Hit], delay: float, per_host: int, randomize: bool = True) -> dict:
    """Per-host request rate against the configured politeness; ``violations`` lists breaches.

    Scrapy spaces a host's requests by its download delay, drawn from 0.5x-1.5x of it when
    randomised, so no host may have more than ``per_host`` requests in flight, no ``WINDOW``
    consecutive requests to one host may span less than ``WINDOW - 1`` floors, and over its whole
    run no host may average more than one request per ``delay``. The times are the server's:
    when a request's handler starts, which on a loaded machine lags its arrival by up to a few
    hundred milliseconds, so two neighbours can look closer than they were sent. The window check
    allows JITTER for that at its two ends only; the closest single pair is reported, with how
    many pairs look closer than the floor, not asserted.
    """
    floor = (0.5 if randomize else 1.0) * delay
    by_host: dict[str, list[Hit]] = defaultdict(list)
    for hit in log:
        by_host[hit.host].append(hit)
    violations, peak_rates, tight_window = [], [], []
    close_pairs = 0
    for host, hits in by_host.items():
        hits.sort(key=lambda h: h.started)
        starts = [h.started for h in hits]
        close_pairs += sum(b - a < floor - 0.02 for a, b in zip(starts, starts[1:], strict=False))
        spans = [(starts[i + WINDOW - 1] - starts[i], i) for i in range(len(starts) - WINDOW + 1)]
        span, i = min(spans, default=(None, 0))
        if span is not None:
            tight_window.append(span)
            if span < (WINDOW - 1) * floor - JITTER:
                violations.append(
                    f"{host}: {WINDOW} requests from {hits[i].path} in {span:.2f} s "
                    f"(at least {(WINDOW - 1) * floor - JITTER:.2f} s)"
                )
        if len(starts) >= WINDOW:
            rate = (len(starts) - 1) / (starts[-1] - starts[0])
            peak_rates.append(rate)
            if rate > 1.1 / delay:
                violations.append(f"{host}: {rate:.2f} requests/s over its run (at most {1 / delay:.2f})")
    in_flight = defaultdict(int)
    worst = defaultdict(int)
    for _, step, host in sorted([(h.started, 1, h.host) for h in log] + [(h.ended, -1, h.host) for h in log]):
        in_flight[host] += step
        worst[host] = max(worst[host], in_flight[host])
    violations += [
        f"{h}: {n} requests in flight (at most {per_host})" for h, n in worst.items() if n > per_host
    ]
    return {
        "hosts": len(by_host),
        "min_gap_s": min(
            (b.started - a.started for hs in by_host.values() for a, b in zip(hs, hs[1:], strict=False)),
            default=None,
        ),
        "pairs_closer_than_floor": close_pairs,
        f"min_{WINDOW}_request_span_s": min(tight_window, default=None),
        "max_host_rate_per_s": max(peak_rates, default=0.0),
        "max_in_flight": max(worst.values(), default=0),
        "violations": violations,
    }


# -- the run -------------------------------------------------------------------------------------


def worker_pid(parent: int) -> int | None:
    """The crawl worker (`python -m crawlers.run`), a child of ``parent``."""
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
            cmd = Path(entry.path, "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent and b"crawlers.run" in cmd:
            return int(entry.name)
    return None


class WorkerMemory:
    """Samples the crawl worker's private memory every 0.5 s while a crawl runs."""

    def __init__(self):
        self.samples: list[tuple[float, float]] = []
        self.cpu_s = 0.0  # the worker's user + system CPU seconds, as last sampled
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        from tests.benchmarks.scale import private_mb

        started, pid = time.monotonic(), None
        tick = os.sysconf("SC_CLK_TCK")
        while not self._stop.wait(0.5):
            pid = pid or worker_pid(os.getpid())
            if pid is None:
                continue
            try:
                self.samples.append((time.monotonic() - started, private_mb(pid)))
                utime, stime = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[11:13]
                self.cpu_s = (int(utime) + int(stime)) / tick
            except (FileNotFoundError, ProcessLookupError):
                pid = None

    def __enter__(self) -> WorkerMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> dict:
        mb = [m for _, m in self.samples] or [0.0]
        half = len(mb) // 2
        return {
            "peak_mb": max(mb),
            "first_half_peak_mb": max(mb[: half or 1]),
            "second_half_peak_mb": max(mb[half:] or mb),
            "quartiles_mb": [round(mb[int(p * (len(mb) - 1))]) for p in (0, 0.25, 0.5, 0.75, 1)],
        }


def crawl_once(settings: Settings, server: NationalServer, budget: float, scrapy: dict | None = None) -> dict:
    """One crawl of every simulated council at the project's own politeness settings (``scrapy``:
    Scrapy settings to override, to compare a change)."""
    from crawlers.run import _run_worker

    rows = [
        {
            "id": c.id,
            "name": c.name,
            "platform": c.platform,
            "base_url": c.base_url,
            "nation": "",
            "notes": "",
        }
        for c in server.councils
    ]
    overrides = {
        "CLOSESPIDER_TIMEOUT": budget,
        "BACKFILL_SINCE": backfill_since().isoformat(),
        **(scrapy or {}),
    }
    before = len(server.log)
    started = time.monotonic()
    with WorkerMemory() as memory:
        summary = _run_worker(settings, rows, None, overrides)
    seconds = time.monotonic() - started
    hits = server.log[before:]
    per_host = defaultdict(int)
    for h in hits:
        per_host[h.host] += 1
    db = settings.db_path
    return {
        "seconds": seconds,
        "requests": len(hits),
        "pages_per_s": len(hits) / seconds,
        "answered_200": sum(h.status == 200 for h in hits),
        "not_modified_304": sum(h.status == 304 for h in hits),
        "requests_by_platform": {
            p: sum(per_host[c.host] for c in server.councils if c.platform == p)
            for p in ("moderngov", "cmis")
        },
        "requests_by_kind": dict(Counter(kind_of(h.path) for h in hits).most_common()),
        "totals": summary["totals"],
        "failed_councils": len(summary.get("failed_councils", [])),
        "max_requests_one_council": max(per_host.values(), default=0),
        "memory": memory.summary(),
        "crawler_cpu_s": memory.cpu_s,
        "cpu_ms_per_request": 1000 * memory.cpu_s / max(1, len(hits)),
        "state_db_mb": sum(p.stat().st_size for p in db.parent.glob(db.name + "*")) / 2**20,
    }


def kind_of(path: str) -> str:
    """What a request asked for: the page or web-service call, CMIS views by name, files as "file"."""
    key = route_key(path.lstrip("/")).partition("?")[0]
    for view in ("meetingcalendarpublicnojava", "viewmeetingpublic", "viewcmis_decisiondetails"):
        if view in key:
            return f"cmis {view}"
    if key.startswith("documents/") or key.endswith((".pdf", "document.ashx")):
        return "file"
    return key.rsplit("/", 1)[-1] or "/"


def change_pages(councils: list[SimCouncil], share: float, seed: int = 1) -> int:
    """Bump the version of ``share`` of all content pages (their bodies change); how many."""
    rng = random.Random(seed)
    keys = [(c, k) for c in councils for k in c.content_keys()]
    chosen = rng.sample(keys, max(1, round(share * len(keys))))
    for c, k in chosen:
        c.versions[k] = c.versions.get(k, 0) + 1
    return len(chosen)


def projection(run: dict, n_sim: int, n_real: int, delay: float) -> float:
    """Hours for ``n_real`` councils like the simulated ones: the slower of the politeness floor
    (one host's requests, spaced by the delay) and the measured throughput over more councils."""
    politeness_floor = run["max_requests_one_council"] * delay
    throughput = run["requests"] / n_sim * n_real / run["pages_per_s"]
    return max(politeness_floor, throughput) / 3600


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--councils",
        type=int,
        default=None,
        help="simulate N crawlable registry councils spread over the registry (default: all)",
    )
    ap.add_argument("--meetings", type=int, default=12, help="meetings per council (4 agenda items each)")
    ap.add_argument("--decisions", type=int, default=30, help="decisions per ModernGov council")
    ap.add_argument("--budget", type=float, default=600, help="seconds each spider may run")
    ap.add_argument("--max-requests", type=int, default=200_000, help="server-side cap on requests")
    ap.add_argument(
        "--changed", type=float, default=0.01, help="share of content pages changed for the night"
    )
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a Scrapy setting for both crawls (JSON values), e.g. CONCURRENT_REQUESTS=16",
    )
    ap.add_argument("--json", default=str(ROOT / "build" / "bench-national.json"))
    ap.add_argument("--work", default=str(ROOT / "build" / "national-sim"))
    args = ap.parse_args(argv)
    scrapy = dict(setting(a) for a in args.set)
    registry = load_registry()
    crawlable = [c for c in registry if c.crawlable]
    skipped = Counter(short_reason(c.reason) for c in registry if not c.crawlable)
    templates = Templates.load()
    councils = [
        SimCmisCouncil(i, c, args.meetings, 0, templates)
        if c.spider == "cmis"
        else SimCouncil(i, c, args.meetings, args.decisions)
        for i, c in enumerate(sample(crawlable, args.councils))
    ]
    work = Path(args.work)
    shutil.rmtree(work, ignore_errors=True)
    settings = Settings(data_dir=work).ensure()
    delay = crawl_settings.DOWNLOAD_DELAY
    per_host = crawl_settings.CONCURRENT_REQUESTS_PER_DOMAIN
    roles = {r: sum(c.role == r for c in councils) for r in ("ok", "slow", "failing", "dead")}
    platforms = Counter(c.platform for c in councils)
    print(
        f"registry: {len(registry)} councils, {len(crawlable)} crawlable; skipped: "
        + "; ".join(f"{n} {why}" for why, n in skipped.most_common()),
        flush=True,
    )
    print(
        f"{len(councils)} councils ({', '.join(f'{n} {p}' for p, n in platforms.items())}; "
        f"{', '.join(f'{n} {r}' for r, n in roles.items())}), "
        f"{args.meetings} meetings x 4 items + {args.decisions} decisions each; politeness: "
        f"DOWNLOAD_DELAY {delay} s (randomised), {per_host} per host, "
        f"{scrapy.get('CONCURRENT_REQUESTS', crawl_settings.CONCURRENT_REQUESTS)} in all",
        flush=True,
    )
    with NationalServer(councils, templates, max_requests=args.max_requests) as server:
        backfill = crawl_once(settings, server, args.budget, scrapy)
        print(f"back-fill: {backfill['requests']:,} requests in {backfill['seconds']:.0f} s", flush=True)
        changed = change_pages(councils, args.changed)
        night = crawl_once(settings, server, args.budget, scrapy)
        print(f"night: {night['requests']:,} requests in {night['seconds']:.0f} s", flush=True)
        polite = politeness(
            server.log, delay, per_host, crawl_settings.__dict__.get("RANDOMIZE_DOWNLOAD_DELAY", True)
        )
    real = len(crawlable)
    result = {
        "scrapy_overrides": scrapy,
        "registry_councils": len(registry),
        "skipped": dict(skipped),
        "councils": len(councils),
        "platforms": dict(platforms),
        "roles": roles,
        "pages_per_council": sum(len(c.content_keys()) for c in councils) / len(councils),
        "changed_pages": changed,
        "backfill": backfill,
        "night": night,
        "politeness": {**polite, "violations": polite["violations"][:20]},
        "projection_hours": {
            "registry_councils": real,
            "backfill": projection(backfill, len(councils), real, delay),
            "night": projection(night, len(councils), real, delay),
        },
        "load_average": os.getloadavg()[0],
    }
    result["targets"] = {
        # The issue's: a night over every council inside an hour, crawler memory flat.
        "night_under_1h": night["seconds"] < 3600,
        "memory_flat": all(
            run["memory"]["second_half_peak_mb"] <= FLAT * run["memory"]["first_half_peak_mb"]
            for run in (backfill, night)
        ),
    }
    print(report(result))
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    print(f"figures written to {args.json}")
    return 1 if polite["violations"] else 0


def setting(arg: str) -> tuple[str, object]:
    """A ``NAME=VALUE`` argument: the value read as JSON (numbers, booleans), else as text."""
    name, _, value = arg.partition("=")
    try:
        return name, json.loads(value)
    except ValueError:
        return name, value


def sample(councils: list[Council], n: int | None) -> list[Council]:
    """``n`` councils evenly spread over the list (so a sample keeps its mix of platforms)."""
    if n is None or n >= len(councils):
        return councils
    return [councils[i * len(councils) // n] for i in range(n)]


def short_reason(reason: str) -> str:
    """A registry reason, grouped: the platform without a spider, or abolished / disabled."""
    return (
        reason if reason.startswith("no spider") else reason.split(";")[0].split(":")[0].rstrip(" 0123456789")
    )


def report(r: dict) -> str:
    lines = [f"\n{'':<34}{'back-fill':>14}{'night':>14}"]
    rows = (
        ("wall time s", "seconds", "{:,.0f}"),
        ("requests", "requests", "{:,}"),
        ("requests ModernGov / CMIS", None, None),
        ("pages/s overall", "pages_per_s", "{:,.1f}"),
        ("crawler CPU ms per request", "cpu_ms_per_request", "{:,.1f}"),
        ("200 / 304 answers", None, None),
        ("most requests to one council", "max_requests_one_council", "{:,}"),
        ("documents new / changed", None, None),
        ("failed councils", "failed_councils", "{:,}"),
        ("crawler private MB (peak)", None, None),
        ("crawler MB, 1st / 2nd half peak", None, None),
        ("store + crawl state on disk MB", "state_db_mb", "{:,.1f}"),
    )
    for label, key, fmt in rows:
        cells = []
        for run in (r["backfill"], r["night"]):
            if key:
                cells.append(fmt.format(run[key]))
            elif label.startswith("requests "):
                cells.append(" / ".join(f"{n:,}" for n in run["requests_by_platform"].values()))
            elif label.startswith("200"):
                cells.append(f"{run['answered_200']:,} / {run['not_modified_304']:,}")
            elif label.startswith("documents"):
                cells.append(f"{run['totals']['new']:,} / {run['totals']['changed']:,}")
            elif label.startswith("crawler private"):
                cells.append(f"{run['memory']['peak_mb']:,.0f}")
            else:
                m = run["memory"]
                cells.append(f"{m['first_half_peak_mb']:,.0f} / {m['second_half_peak_mb']:,.0f}")
        lines.append(f"{label:<34}{cells[0]:>14}{cells[1]:>14}")
    p = r["politeness"]
    lines.append(
        f"politeness (server log, {p['hosts']} hosts): fastest host {p['max_host_rate_per_s']:.2f} requests/s, "
        f"fastest {WINDOW} in a row {p[f'min_{WINDOW}_request_span_s'] or 0:.1f} s, at most "
        f"{p['max_in_flight']} in flight (closest pair {p['min_gap_s'] or 0:.2f} s; "
        f"{p['pairs_closer_than_floor']} pairs under the floor by the server's clock): "
        + ("OK" if not p["violations"] else f"{len(p['violations'])} VIOLATIONS, e.g. {p['violations'][0]}")
    )
    proj = r["projection_hours"]
    lines.append(
        f"projection for the {proj['registry_councils']} crawlable registry councils with sites like these "
        f"({r['pages_per_council']:.0f} content pages each, {r['changed_pages']:,} changed for the night, "
        f"the night found {r['night']['totals']['changed']:,} changed documents): "
        f"back-fill {proj['backfill']:.2f} h, night {proj['night']:.2f} h (load average {r['load_average']:.1f})"
    )
    t = r["targets"]
    lines.append(
        f"targets: night under 1 h {'met' if t['night_under_1h'] else 'MISSED'}; "
        f"crawler memory flat (2nd half peak within {FLAT}x the 1st) {'met' if t['memory_flat'] else 'MISSED'}"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
