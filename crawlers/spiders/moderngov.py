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

from urllib.parse import urlencode

import scrapy
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawlers import parsers
from crawlers.spiders.base import DateWindowSpider
from crawlers.urls import canonical_url, classify, document_id


class ModernGovSpider(DateWindowSpider):
    """What both ModernGov spiders share: the platform, its window size, its content pages."""

    platform = "moderngov"
    # Wide date ranges time out on some councils' listing pages (LGSF), so listings are asked
    # for one calendar year at a time at most.
    window_days = 366

    def parse_page(self, response):
        """A content page -> one Document (and requests for the issue pages it links)."""
        council = response.meta["council"]
        parsed = parsers.parse_page(response.text, response.url)
        page_type, ids = classify(response.url)
        doc = self.document(
            response,
            page_type,
            document_id(council, page_type, ids, canonical_url(response.url)),
            {**{k: str(v) for k, v in response.meta.get("ids", {}).items()}, **ids},
            {
                "title": parsed["title"] or response.meta.get("title") or parsed["heading"],
                "committee": parsed["committee"] or response.meta.get("committee"),
                "decision_maker": parsed["decision_maker"],
                "date": parsed["date"] or response.meta.get("date"),
            },
            parsed["attachments"],
        )
        yield doc
        for link in parsed["issue_urls"]:
            yield self.request(link, self.parse_page, council)


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
