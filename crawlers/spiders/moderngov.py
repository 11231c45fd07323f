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

from collections import Counter
from datetime import date, timedelta
from urllib.parse import urlencode

import scrapy
from scrapy.exceptions import DownloadTimeoutError
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawlers import parsers
from crawlers.sites import attribute
from crawlers.spiders.base import DateWindowSpider
from crawlers.urls import canonical_url, classify, document_id


class ModernGovSpider(DateWindowSpider):
    """What both ModernGov spiders share: the platform, its window size, its content pages."""

    platform = "moderngov"
    # Wide date ranges time out on some councils' listing pages (LGSF), so listings are asked
    # for a year at a time at most.
    window_days = 366
    content_callbacks = frozenset({"parse_page", "parse_meeting_page"})
    # Where ModernGov sends a request it cannot serve (a withdrawn page, a broken listing).
    error_page = "mgerror.aspx"

    def stored_body(self, html: str) -> str:
        # The content area only (div#modgov, what extract reads): the council's chrome around it
        # (banners, asset versions, the date in the header) changes by the day and would make
        # every page "changed".
        return parsers.content_area(super().stored_body(html))

    def parse_page(self, response):
        """A content page -> one Document (and requests for the issue pages it links)."""
        site = response.meta["council"]
        if not self.answered(response):
            return
        parsed = parsers.parse_page(response.text, response.url)
        page_type, ids = classify(response.url)
        committee = parsed["committee"] or response.meta.get("committee")
        title = parsed["title"] or response.meta.get("title") or parsed["heading"]
        council = attribute(self.members(site), committee, parsed["decision_maker"], title)
        yield self.document(
            response,
            page_type,
            document_id(council, page_type, ids, canonical_url(response.url)),
            {**{k: str(v) for k, v in response.meta.get("ids", {}).items()}, **ids},
            {
                "title": title,
                "committee": committee,
                "decision_maker": parsed["decision_maker"],
                "date": parsed["date"] or response.meta.get("date"),
            },
            parsed["attachments"],
            council=council,
        )
        for link in parsed["issue_urls"]:
            yield self.request(link, self.parse_page, site)


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

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        # Listings render a whole date window before answering: slow, not dead (settings.py).
        spider.listing_timeout = crawler.settings.getfloat("LISTING_TIMEOUT")
        return spider

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
