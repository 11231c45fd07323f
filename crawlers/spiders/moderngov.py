"""ModernGov spiders, named by the shape of what they read.

- ModernGovMeetingsSpider: committees -> meetings in the date window -> meeting documents ->
  agenda items (with their reports and minutes). Asks the web service (mgWebService.asmx) first;
  where a council has it switched off or blocked, walks the HTML pages instead.
- ModernGovDecisionsSpider: decision listings (mgDelegatedDecisions.aspx, and the officer decisions
  some councils list only on mgListOfficerDecisions.aspx) walked in date windows -> decision
  details and issue pages (issue history, issue meetings, issue decisions).

Both yield papers.schema.Document items; a council is a registry row passed in `councils`.
Parsing lives in crawlers/parsers.py; ids in crawlers/urls.py, canonical URLs and page types in papers/urls.py.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date, timedelta
from itertools import chain
from urllib.parse import urlencode, urlsplit

import scrapy
from scrapy.exceptions import DownloadTimeoutError
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawlers import parsers
from crawlers.middlewares import GonePage, one_line, site_of
from crawlers.sites import attribute, group_sites
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
    # Content pages answering these are not coming back (listings and web-service calls are not
    # pages: a 404 there is a failure, asked for again).
    gone_statuses = (404, 410)
    content_callbacks = {"parse_page", "parse_meeting_page"}
    # Where ModernGov sends a request it cannot serve (a withdrawn page, a broken listing).
    error_page = "mgerror.aspx"

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
        spider.listing_timeout = s.getfloat("LISTING_TIMEOUT")
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

    def members(self, council: str) -> list[dict]:
        """The registry rows of every council on this council's site."""
        return [self.councils[c] for c in self.sites.get(council, [council])]

    def answered(self, response) -> bool:
        """Count a content page's answer; False (the page recorded as gone) when it is the site's
        error page. Follows a site that moved (http to https, a new host) for the rest of the run
        and the next."""
        council = response.meta["council"]
        self.tally.answered(council)
        if self.error_page in urlsplit(response.url).path.lower():
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
        site = response.meta["council"]
        if not self.answered(response):
            return
        parsed = parsers.parse_page(response.text, response.url)
        page_type, ids = classify(response.url)
        url = canonical_url(response.url)
        committee = parsed["committee"] or response.meta.get("committee")
        title = parsed["title"] or response.meta.get("title") or parsed["heading"]
        council = attribute(self.members(site), committee, parsed["decision_maker"], title)
        doc_id = document_id(council, page_type, ids, url)
        # The content area only (div#modgov, what extract reads): the council's chrome around it
        # (banners, asset versions, the date in the header) changes by the day and would make
        # every page "changed". Cookieless-session sites put the visitor's session id in every
        # link: stored as served, each visit would look like a changed page too.
        body = parsers.content_area(SESSION_IN_LINKS_RE.sub("", response.text))
        doc = Document(
            id=doc_id,
            council=council,
            platform=self.platform,
            page_type=page_type,
            url=url,
            title=title,
            platform_ids={**{k: str(v) for k, v in response.meta.get("ids", {}).items()}, **ids},
            committee=committee,
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
            yield self.request(link, self.parse_page, site)

    def navigation(self, response) -> bool:
        """A listing or web-service answer: counted, its state kept for the next conditional
        request; False when it was the site's error page (a failure, and a flag)."""
        council = response.meta["council"]
        self.tally.answered(council)
        if self.error_page in urlsplit(response.url).path.lower():
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

    def web_service_answer(self, response, root: str) -> bytes | None:
        """The call's XML, or None (flagged) when a 200 brought an error, WAF or fault page."""
        council = response.meta["council"]
        try:
            return parsers.web_service_xml(
                response.body, (response.headers.get("Content-Type") or b"").decode(), root
            )
        except parsers.NotWebServiceAnswer as exc:
            self.tally.flag(
                council, "web_service_not_xml", f"{council}: the web service {exc} ({response.url})"
            )
            return None

    def parse_committees(self, response):
        council = response.meta["council"]
        if not self.navigation(response):
            return
        xml = self.web_service_answer(response, "committees")
        if xml is None:  # the service refused in a 200: the HTML pages list committees too
            yield self.html_committees(council)
            return
        start, end = self.window(council)
        for c in parsers.parse_committees_xml(xml):
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

    def web_service_data(self, response, root: str) -> bytes | None:
        """A GetMeetings / GetMeeting answer's XML; None when it was anything else, which fails
        this call (asked for again next run)."""
        if not self.navigation(response):
            return None
        xml = self.web_service_answer(response, root)
        if xml is None:
            council = response.meta["council"]
            self.record_failure(council, response.url, response.url, f"the web service answered no <{root}>")
        return xml

    def parse_meetings(self, response):
        council = response.meta["council"]
        xml = self.web_service_data(response, "getmeetings")
        if xml is None:
            return
        base = self.councils[council]["base_url"]
        for m in parsers.parse_meetings_xml(xml):
            if m["status"].lower() == "cancelled":
                continue
            if not m["id"]:  # would ask for GetMeeting?lMeetingId= : the council's data is broken
                self.record_failure(council, response.url, response.url, "a meeting without an id")
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
        xml = self.web_service_data(response, "meeting")
        if xml is None:
            return
        base = self.councils[council]["base_url"]
        meeting = parsers.parse_meeting_xml(xml)
        if not meeting["id"]:
            self.record_failure(council, response.url, response.url, "a meeting without an id")
            return
        ids = {
            k: v for k, v in {"meeting": meeting["id"], "committee": meta.get("committee_id")}.items() if v
        }
        cid = f"CId={meta['committee_id']}&" if meta.get("committee_id") else ""
        # The meeting's own page, then its public items' pages (and the decisions published on
        # them, which no listing need link): content pages dated by the meeting.
        pages = [(f"ieListDocuments.aspx?{cid}MId={meeting['id']}", {})]
        for item in meeting["items"]:
            if item["restricted"] or not item["id"]:
                continue
            pages.append((f"mgAi.aspx?ID={item['id']}", {"title": item["title"], "ids": ids}))
            if item["decision"]:
                pages.append((f"ieDecisionDetails.aspx?AIId={item['id']}", {"title": item["title"]}))
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
        if not self.navigation(response):
            return
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
        if not self.navigation(response):
            return
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
    # The table view (V=0), as LGSF asks: V=1 is the expanded view, which the parser reads too,
    # but which renders every decision's text and is slower to answer. DS=2: decisions made.
    listing_query = "RP=0&K=0&V=0&DM=0&HD=0&DS=2&Next=true&META=mgdelegateddecisions"
    # Officer decisions: some councils list them here only.
    officer_query = "XXR=0&FULL=1&BAM=1&K=0&DM=0&DEP=0&PH=0&LO=0&C3=0&Next=true"
    listings = {"mgDelegatedDecisions.aspx": listing_query, "mgListOfficerDecisions.aspx": officer_query}
    # A listing window that times out is split in two, down to this many days (LGSF: ModernGov
    # gives up on wide ranges of busy councils; narrower ones answer).
    min_split_days = 45

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.listings_answered: Counter[str] = Counter()

    def council_requests(self, council: dict):
        for start, end in self.windows(council["id"]):
            for page in self.listings:
                yield self.listing_request(council["id"], page, start, end)

    def listing_request(self, council: str, page: str, start: date, end: date) -> scrapy.Request:
        dr = f"{start.strftime('%d/%m/%Y')}-{end.strftime('%d/%m/%Y')}"
        url = f"{self.councils[council]['base_url']}/{page}?{urlencode({'DR': dr})}&{self.listings[page]}"
        req = self.request(
            url,
            self.parse_listing,
            council,
            listing=page,
            window=[start.isoformat(), end.isoformat()],
            download_timeout=self.listing_timeout,
            # A timed-out window is split, not asked for again whole.
            max_retry_times=0,
        )
        req.errback = self.listing_failed
        return req

    def listing_failed(self, failure: Failure):
        """A listing that timed out is split in two; a 404 is a council without this listing
        (not every council has the officer list); anything else is a failure, retried next run."""
        request = failure.request
        council, page = request.meta["council"], request.meta["listing"]
        start, end = (date.fromisoformat(d) for d in request.meta["window"])
        if failure.check(DownloadTimeoutError) and (end - start).days >= 2 * self.min_split_days:
            middle = start + timedelta(days=(end - start).days // 2)
            self.logger.info("%s: %s timed out for %s..%s; splitting the window", council, page, start, end)
            yield self.listing_request(council, page, start, middle)
            yield self.listing_request(council, page, middle + timedelta(days=1), end)
            return
        if failure.check(HttpError) and failure.value.response.status == 404:
            self.tally.answered(council)
            return
        self.failed(failure)

    def parse_listing(self, response):
        council = response.meta["council"]
        if not self.navigation(response):
            return
        rows = parsers.parse_decisions_list(response.text, response.url)
        self.listings_answered[council] += 1
        self.tally.listed[council] += len(rows)
        dates = [date.fromisoformat(r["date"]) for r in rows if r["date"]]
        if dates:
            with self.store.transaction():
                self.state.record_listed(council, max(dates))
        settled = (self.today - self.lookback).isoformat()
        for row in rows:
            # Decided before the look-back and already held: settled, not fetched again.
            if row["date"] and row["date"] < settled and self.state.held(canonical_url(row["url"])):
                continue
            yield self.request(row["url"], self.parse_page, council, date=row["date"], title=row["title"])

    def closed_councils(self) -> None:
        """A council whose listings answered, yet listed nothing over a date where they listed
        decisions before: its site or this parser changed. Flagged, never a silent "ok"."""
        for council in self.sites:
            if self.tally.listed[council] or council in self.tally.unreachable:
                continue
            latest = self.state.listed_latest(council)
            start, end = self.window(council)
            if latest and start <= latest <= end and self.listings_answered[council]:
                self.tally.flag(
                    council,
                    "listings_empty",
                    f"{council}: decision listings answered but listed nothing from {start} to {end}, "
                    f"where they listed decisions up to {latest} before",
                )
