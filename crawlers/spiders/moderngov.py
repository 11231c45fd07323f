"""ModernGov spiders, named by the shape of what they read.

- ModernGovMeetingsSpider: committees -> meetings in the date window -> meeting documents ->
  agenda items (with their reports and minutes). Asks the web service (mgWebService.asmx) first;
  where a council has it switched off or blocked, walks the HTML pages instead.
- ModernGovDecisionsSpider: decision listings (mgDelegatedDecisions.aspx) walked in date windows
  -> decision details and issue pages (issue history, issue meetings, issue decisions).

Both yield papers.schema.Document items; a council is a registry row passed in `councils`.
Parsing lives in crawlers/parsers.py; ids in crawlers/urls.py, canonical URLs and page types in papers/urls.py.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from itertools import chain
from urllib.parse import urlencode

import scrapy
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawlers import parsers
from crawlers.middlewares import one_line
from crawlers.state import CrawlState
from crawlers.summary import Tally
from crawlers.urls import SESSION_IN_LINKS_RE, canonical_url, classify, document_id
from index.store import Store, now_iso
from papers.schema import Attachment, Document


class ModernGovSpider(scrapy.Spider):
    """What both ModernGov spiders share: councils, date windows, content pages, failures."""

    platform = "moderngov"
    # Wide date ranges time out on some councils' listing pages (LGSF), so listings are asked
    # for one calendar year at a time at most.
    window_days = 366

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
        self.councils = {c["id"]: c for c in councils}
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
        start, end = self.window(council)
        out = []
        while start <= end:
            stop = min(end, date(start.year, 12, 31), start + timedelta(days=self.window_days - 1))
            out.append((start, stop))
            start = stop + timedelta(days=1)
        return out

    # -- requests ----------------------------------------------------------------------------

    def request(self, url: str, callback, council: str, **meta) -> scrapy.Request:
        if self.slot_per_council:
            meta["download_slot"] = council
        return scrapy.Request(url, callback=callback, errback=self.failed, meta={"council": council, **meta})

    async def start(self):
        for council in self.councils:
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
            error = f"HTTP {failure.value.response.status}"
        else:
            error = f"{type(failure.value).__name__}: {one_line(failure.value)}"
        if "robots.txt" in str(failure.value):
            self.tally.skipped[council] += 1
            return
        callback = request.callback.__name__ if request.callback else "parse_page"
        self.record_failure(
            council,
            request.url,
            request.url,
            error,
            callback=callback,
            meta={k: v for k, v in request.meta.items() if k in {"date", "committee", "meeting"}},
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

    def parse_page(self, response):
        """A content page -> one Document (and requests for the issue pages it links)."""
        council = response.meta["council"]
        self.tally.answered(council)
        parsed = parsers.parse_page(response.text, response.url)
        page_type, ids = classify(response.url)
        url = canonical_url(response.url)
        doc_id = document_id(council, page_type, ids, url)
        # Cookieless-session sites put the visitor's session id in every link: stored as served,
        # each visit would look like a changed page.
        body = SESSION_IN_LINKS_RE.sub("", response.text)
        doc = Document(
            id=doc_id,
            council=council,
            platform=self.platform,
            page_type=page_type,
            url=url,
            title=parsed["title"] or response.meta.get("title") or parsed["heading"],
            platform_ids={**{k: str(v) for k, v in response.meta.get("ids", {}).items()}, **ids},
            committee=parsed["committee"] or response.meta.get("committee"),
            decision_maker=parsed["decision_maker"],
            date=parsed["date"] or response.meta.get("date"),
            body=body,
            content_type="text/html",
            sha256=hashlib.sha256(body.encode("utf-8")).hexdigest(),
            fetched_at=now_iso(),
            attachments=[Attachment(url=a["url"], title=a["title"]) for a in parsed["attachments"]],
        )
        self.fetches[url] = {
            "not_modified": "not_modified" in response.flags,
            "etag": (response.headers.get("ETag") or b"").decode() or None,
            "last_modified": (response.headers.get("Last-Modified") or b"").decode() or None,
            "content_type": (response.headers.get("Content-Type") or b"").decode() or None,
            "body": response.body,
        }
        yield doc
        for link in parsed["issue_urls"]:
            yield self.request(link, self.parse_page, council)

    def remember(self, response) -> bool:
        """Keep a navigation page's validators and body for the next conditional request; True
        when it changed since last time. Every callback calls it or parse_page: an answer from the
        council, which is how a council that failed entirely is told from one that failed in part."""
        self.tally.answered(response.meta["council"])
        if "not_modified" in response.flags:
            return False
        etag = (response.headers.get("ETag") or b"").decode() or None
        with self.store.transaction():
            self.state.save_page(
                canonical_url(response.url),
                response.meta["council"],
                etag,
                (response.headers.get("Last-Modified") or b"").decode() or None,
                hashlib.sha256(response.body).hexdigest(),
                (response.headers.get("Content-Type") or b"").decode() or None,
                response.body,
            )
            self.state.clear_failure(canonical_url(response.url))
        return True


class ModernGovMeetingsSpider(ModernGovSpider):
    """Committees -> meetings -> meeting documents and agenda items, web service first."""

    name = "moderngov_meetings"
    # GetMeetings answers a whole window in one call on every council seen; the HTML fallback
    # lists meetings by committee and year.
    ws_path = "mgWebService.asmx"

    def council_requests(self, council: dict):
        url = f"{council['base_url']}/{self.ws_path}/GetCommittees?lDummy=0"
        req = self.request(url, self.parse_committees, council["id"])
        req.errback = self.web_service_refused
        yield req

    def web_service_refused(self, failure: Failure):
        """No web service (switched off, 403 to robots, 404): fall back to the HTML pages."""
        council = failure.request.meta["council"]
        if council in self.tally.unreachable:
            return
        self.logger.info(
            "%s: web service unavailable (%s); using the HTML pages",
            council,
            failure.value.response.status if failure.check(HttpError) else failure.value,
        )
        yield self.html_committees(council)

    def html_committees(self, council: str) -> scrapy.Request:
        return self.request(
            f"{self.councils[council]['base_url']}/mgListCommittees.aspx", self.parse_committees_html, council
        )

    def parse_committees(self, response):
        council = response.meta["council"]
        self.remember(response)
        try:
            committees = parsers.parse_committees_xml(response.body)
        except ValueError:  # an HTML error page with a 200: treat as no web service
            yield self.html_committees(council)
            return
        start, end = self.window(council)
        for c in committees:
            if c["deleted"]:
                continue
            q = urlencode(
                {
                    "lCommitteeId": c["id"],
                    "sFromDate": start.strftime("%d/%m/%Y"),
                    "sToDate": end.strftime("%d/%m/%Y"),
                }
            )
            yield self.request(
                f"{self.councils[council]['base_url']}/{self.ws_path}/GetMeetings?{q}",
                self.parse_meetings,
                council,
            )

    def parse_meetings(self, response):
        council = response.meta["council"]
        self.remember(response)
        base = self.councils[council]["base_url"]
        for m in parsers.parse_meetings_xml(response.body):
            if m["status"].lower() == "cancelled":
                continue
            yield self.request(
                f"{base}/{self.ws_path}/GetMeeting?lMeetingId={m['id']}",
                self.parse_meeting,
                council,
                committee=m["committee"],
                committee_id=m["committee_id"],
                date=m["date"],
            )

    def parse_meeting(self, response):
        council, meta = response.meta["council"], response.meta
        self.remember(response)
        base = self.councils[council]["base_url"]
        meeting = parsers.parse_meeting_xml(response.body)
        ids = {
            k: v for k, v in {"meeting": meeting["id"], "committee": meta.get("committee_id")}.items() if v
        }
        # The meeting's own page, then its public items' pages: content pages dated by the meeting.
        pages = [(f"ieListDocuments.aspx?CId={meta.get('committee_id')}&MId={meeting['id']}", {})]
        pages += [
            (f"mgAi.aspx?ID={item['id']}", {"title": item["title"], "ids": ids})
            for item in meeting["items"]
            if not item["restricted"]
        ]
        for path, extra in pages:
            yield self.request(
                f"{base}/{path}",
                self.parse_page,
                council,
                committee=meta.get("committee"),
                date=meeting["date"],
                **extra,
            )

    def parse_committees_html(self, response):
        council = response.meta["council"]
        self.remember(response)
        start, end = self.window(council)
        for cid in parsers.parse_committees_html(response.text):
            for year in range(start.year, end.year + 1):
                yield self.request(
                    response.urljoin(f"ieListMeetings.aspx?CId={cid}&Year={year}"),
                    self.parse_meetings_html,
                    council,
                )

    def parse_meetings_html(self, response):
        council = response.meta["council"]
        self.remember(response)
        for url in parsers.parse_meetings_html(response.text, response.url):
            yield self.request(url, self.parse_meeting_page, council)

    def parse_meeting_page(self, response):
        """HTML fallback: the meeting page is a document, and it links its agenda items."""
        yield from self.parse_page(response)
        parsed = parsers.parse_page(response.text, response.url)
        for url in parsed["item_urls"]:
            yield self.request(url, self.parse_page, response.meta["council"])


class ModernGovDecisionsSpider(ModernGovSpider):
    """Decision listings in date windows -> decision details and issue pages."""

    name = "moderngov_decisions"
    # The listing's own query string as councils link it; DS=2 asks for every decision in range.
    listing_query = "RP=0&K=0&DM=0&HD=0&DS=2&Next=true&META=mgdelegateddecisions&V=1"

    def council_requests(self, council: dict):
        for start, end in self.windows(council["id"]):
            dr = f"{start.strftime('%d/%m/%Y')}-{end.strftime('%d/%m/%Y')}"
            url = f"{council['base_url']}/mgDelegatedDecisions.aspx?{urlencode({'DR': dr})}&{self.listing_query}"
            yield self.request(url, self.parse_listing, council["id"])

    def parse_listing(self, response):
        council = response.meta["council"]
        self.remember(response)
        for row in parsers.parse_decisions_list(response.text, response.url):
            yield self.request(row["url"], self.parse_page, council, date=row["date"], title=row["title"])
