"""The base spider for council democracy sites read in date windows, whatever their platform.

Named by the shape of the source (as kingfisher-collect names its base spiders): a council's site
is walked from listings over a date window, each content page becomes one papers.schema.Document,
and what fails is recorded in the crawl state and asked for again first on the next run. The
platform spiders (moderngov.py, cmis.py) say which listings to read and how to parse their markup.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from itertools import chain
from urllib.parse import urlsplit

import scrapy
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawlers.middlewares import GonePage, one_line, site_of
from crawlers.sites import group_sites
from crawlers.state import CrawlState
from crawlers.summary import Tally
from crawlers.urls import SESSION_IN_LINKS_RE, canonical_url
from index.store import Store, now_iso
from papers.schema import Attachment, Document


class DateWindowSpider(scrapy.Spider):
    """What every council spider shares: councils, date windows, content pages, failures."""

    platform = ""  # the registry's platform value this spider reads (crawlers/registry.py)
    window_days = 366
    # Request meta kept with a failure, so its retry next run carries what the callback reads.
    failure_meta = frozenset({"date", "committee", "meeting"})
    # Content pages answering these are not coming back (listings and web-service calls are not
    # pages: a 404 there is a failure, asked for again).
    gone_statuses = (404, 410)
    content_callbacks: frozenset[str] = frozenset()  # the platform's content-page callbacks
    # The path where the platform sends a request it cannot serve; "" when it has none.
    error_page = ""

    def __init__(
        self,
        councils: list[dict],
        tally: Tally,
        since: str | None = None,
        run_started: str | None = None,
        **kw,
    ):
        super().__init__(**kw)
        self.tally = tally
        self.councils = {c["id"]: dict(c) for c in councils}
        self.registry_base = {c["id"]: c["base_url"] for c in councils}
        # First council of each shared site -> every council on it (crawlers/sites.py).
        self.sites = group_sites(list(self.councils.values()))
        tally.siblings.update({c: members for members in self.sites.values() for c in members})
        self.since = date.fromisoformat(since) if since else None
        self.today = date.fromisoformat(run_started) if run_started else date.today()
        self.fetches: dict[str, dict] = {}  # canonical URL -> response facts, for StorePipeline
        self.files_pending: dict = {}

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        s = crawler.settings
        spider.store = Store(s.get("PAPERS_DB"))
        spider.state = CrawlState(spider.store.conn)
        spider.lookback = timedelta(days=s.getint("LOOKBACK_DAYS"))
        spider.lookahead = timedelta(days=s.getint("LOOKAHEAD_DAYS"))
        spider.backfill = date.fromisoformat(s.get("BACKFILL_SINCE"))
        spider.slot_per_council = s.getbool("PAPERS_SLOT_PER_COUNCIL")
        # Documents of meetings this recent are fetched again: agenda packs and printed minutes
        # change at the same URL until they settle.
        spider.recheck_since = (spider.today - spider.lookback).isoformat()
        for council, row in spider.councils.items():
            moved = spider.state.moved_base(council, spider.registry_base[council])
            if moved:
                row["base_url"] = moved
        if hasattr(spider, "closed_councils"):  # before the store closes
            crawler.signals.connect(spider.closed_councils, signal=scrapy.signals.spider_closed)
        crawler.signals.connect(spider.store.close, signal=scrapy.signals.spider_closed)
        return spider

    # -- windows -----------------------------------------------------------------------------

    def window(self, council: str) -> tuple[date, date]:
        """From --since, else the last successful run minus the look-back, else the back-fill
        start; to today plus the look-ahead (meetings are announced in advance)."""
        if self.since:
            start = self.since
        else:
            last = self.state.last_success(council)
            start = last - self.lookback if last else self.backfill
        return start, self.today + self.lookahead

    def windows(self, council: str) -> list[tuple[date, date]]:
        """The window in pieces of at most `window_days`. Not cut at New Year: a night's window
        (the look-back to the look-ahead) spans it half the year, and each piece is a request
        for every listing."""
        start, end = self.window(council)
        out = []
        while start <= end:
            stop = min(end, start + timedelta(days=self.window_days - 1))
            out.append((start, stop))
            start = stop + timedelta(days=1)
        return out

    # -- requests ----------------------------------------------------------------------------

    def request(self, url: str, callback, council: str, **meta) -> scrapy.Request:
        if self.slot_per_council:
            meta["download_slot"] = council
        return scrapy.Request(url, callback=callback, errback=self.failed, meta={"council": council, **meta})

    def members(self, council: str) -> list[dict]:
        """The registry rows of every council on this council's site."""
        return [self.councils[c] for c in self.sites.get(council, [council])]

    def at_error_page(self, response) -> bool:
        return bool(self.error_page) and self.error_page in urlsplit(response.url).path.lower()

    def answered(self, response) -> bool:
        """Count a content page's answer; False (the page recorded as gone) when it is the site's
        error page. Follows a site that moved (http to https, a new host) for the rest of the run
        and the next."""
        council = response.meta["council"]
        self.tally.answered(council)
        if self.at_error_page(response):
            self.page_gone(response.request, council, f"redirected to the error page {response.url}")
            return False
        self.follow_move(council, response)
        return True

    def follow_move(self, council: str, response) -> None:
        row = self.councils[council]
        if not response.meta.get("redirect_urls") or site_of(response.url) == site_of(row["base_url"]):
            return
        base_path = urlsplit(row["base_url"]).path
        if not urlsplit(response.url).path.lower().startswith(base_path.lower()):
            return  # redirected off the site (a login page, another host's document): not a move
        moved = site_of(response.url) + base_path
        self.logger.info("%s: site moved from %s to %s", council, row["base_url"], moved)
        for member in self.members(council):
            member["base_url"] = moved
            with self.store.transaction():
                self.state.record_move(member["id"], self.registry_base[member["id"]], moved)

    def page_gone(self, request, council: str, reason: str) -> None:
        """A page that will not come back (404/410, the error page): recorded, never retried."""
        self.logger.warning("%s: %s is gone: %s", council, request.url, reason)
        with self.store.transaction():
            self.state.mark_gone(canonical_url(request.url), council, reason)
        self.tally.gone[council] += 1

    async def start(self):
        for council in self.sites:
            if council in self.tally.unreachable:  # found down by the spider before this one
                continue
            self.tally.begin(council)
            for req in chain(self.retries(council), self.council_requests(self.councils[council])):
                if council in self.tally.unreachable:  # found down meanwhile: ask for no more
                    break
                yield req

    def retries(self, council: str):
        """Requests that failed on an earlier run, asked for again first."""
        base = self.councils[council]["base_url"]
        for f in self.state.failures(council, self.name):
            url = f.request_url if "://" in f.request_url else f"{base}/{f.request_url}"
            yield self.request(url, getattr(self, f.callback), council, **f.meta, retrying=True)

    def council_requests(self, council: dict):
        raise NotImplementedError

    def failed(self, failure: Failure) -> None:
        """Errback: count and record a request that failed after retries (retried next run)."""
        request = failure.request
        council = request.meta["council"]
        if failure.check(HttpError):
            status = failure.value.response.status
            content = request.callback and request.callback.__name__ in self.content_callbacks
            if status in self.gone_statuses and content:
                self.page_gone(request, council, f"HTTP {status}")
                return
            error = f"HTTP {status}"
        else:
            error = f"{type(failure.value).__name__}: {one_line(failure.value)}"
        if "robots.txt" in str(failure.value):
            self.tally.skipped[council] += 1
            return
        if failure.check(GonePage):  # recorded as gone on an earlier run
            return
        callback = request.callback.__name__ if request.callback else "parse_page"
        self.record_failure(
            council,
            request.url,
            request.url,
            error,
            callback=callback,
            meta={k: v for k, v in request.meta.items() if k in self.failure_meta},
        )

    def record_failure(
        self,
        council: str,
        request_url: str,
        failed_url: str,
        error: str,
        callback: str = "parse_page",
        meta: dict | None = None,
    ) -> None:
        if council in self.tally.unreachable:
            # Its site is down: the one entry saying so stands for every request, and the
            # council keeps its resume point, so the next run asks for all of them again.
            return
        self.logger.warning("%s: %s failed: %s", council, failed_url, error)
        # Kept relative to the council's base URL: the site (or the snapshot's port) may move.
        base = self.councils[council]["base_url"] + "/"
        request_url = request_url.removeprefix(base)
        with self.store.transaction():
            self.state.record_failure(
                canonical_url(failed_url), council, self.name, callback, request_url, meta or {}, error
            )
        self.tally.failed(council, failed_url, error)

    # -- pages -------------------------------------------------------------------------------

    def document(
        self,
        response,
        page_type: str,
        doc_id: str,
        platform_ids: dict[str, str],
        fields: dict,
        attachments: list[dict],
        council: str | None = None,
    ) -> Document:
        """The Document for a content page (counted by `answered` first), its response facts kept
        for StorePipeline. `fields` holds title, committee, decision_maker and date (None where
        the page does not say); `council` is the one the page is attributed to on a shared site,
        else the request's."""
        council = council or response.meta["council"]
        url = canonical_url(response.url)
        body = self.stored_body(response.text)
        self.fetches[url] = {
            "not_modified": "not_modified" in response.flags,
            "etag": (response.headers.get("ETag") or b"").decode() or None,
            "last_modified": (response.headers.get("Last-Modified") or b"").decode() or None,
            "content_type": (response.headers.get("Content-Type") or b"").decode() or None,
            "body": response.body,
        }
        return Document(
            id=doc_id,
            council=council,
            platform=self.platform,
            page_type=page_type,
            url=url,
            title=fields.get("title"),
            platform_ids=platform_ids,
            committee=fields.get("committee"),
            decision_maker=fields.get("decision_maker"),
            date=fields.get("date"),
            body=body,
            content_type="text/html",
            sha256=hashlib.sha256(body.encode("utf-8")).hexdigest(),
            fetched_at=now_iso(),
            attachments=[Attachment(url=a["url"], title=a["title"]) for a in attachments],
        )

    def stored_body(self, html: str) -> str:
        """The page as stored: what changes from visit to visit without the page changing is
        taken out, or every visit would look like a changed page."""
        # Cookieless-session sites put the visitor's session id in every link.
        return SESSION_IN_LINKS_RE.sub("", html)

    def navigation(self, response) -> bool:
        """A listing or web-service answer: counted, its state kept for the next conditional
        request; False when it was the site's error page (a failure, and a flag). Every callback
        calls it or `answered`: an answer from the council, which is how a council that failed
        entirely is told from one that failed in part."""
        council = response.meta["council"]
        self.tally.answered(council)
        if self.at_error_page(response):
            self.record_failure(council, response.request.url, response.url, "redirected to the error page")
            self.tally.flag(
                council,
                "error_page",
                f"{council}: listings answered with the site's error page ({response.url})",
            )
            return False
        self.follow_move(council, response)
        if "not_modified" in response.flags:
            return True
        etag = (response.headers.get("ETag") or b"").decode() or None
        with self.store.transaction():
            self.state.save_page(
                canonical_url(response.url),
                council,
                etag,
                (response.headers.get("Last-Modified") or b"").decode() or None,
                hashlib.sha256(response.body).hexdigest(),
                (response.headers.get("Content-Type") or b"").decode() or None,
                response.body,
            )
            self.state.clear_failure(canonical_url(response.url))
        return True
