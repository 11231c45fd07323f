"""The CMIS spider: meetings by calendar month -> each meeting's page (agenda, reports, minutes)
-> its agenda items (reports, decisions).

CMIS sites are a module of a DotNetNuke (ASP.NET WebForms) site; the quirks that shapes are the
class attributes below. A council is one registry row whatever its install looks like: the spider
finds the install's root from the row's base URL. Items are papers.schema.Document, stored by the
same pipelines as ModernGov's; parsing lives in crawlers/cmis_parsers.py, page types and ids in
papers/urls.py (CMIS_VIEWS).
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit, urlunsplit

import scrapy
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawlers import cmis_parsers as parsers
from crawlers.middlewares import one_line
from crawlers.spiders.base import DateWindowSpider
from crawlers.urls import canonical_url, classify, document_id
from papers.schema import Attachment


def months(start: date, end: date) -> list[date]:
    """The first day of each calendar month from start's to end's."""
    out, m = [], start.replace(day=1)
    while m <= end:
        out.append(m)
        m = date(m.year + (m.month == 12), m.month % 12 + 1, 1)
    return out


class CmisMeetingsSpider(DateWindowSpider):
    """Calendar months -> meetings -> agenda items, on every CMIS install shape."""

    name = "cmis_meetings"
    platform = "cmis"
    failure_meta = DateWindowSpider.failure_meta | {"month"}
    content_callbacks = frozenset({"parse_meeting", "parse_item"})

    # Where the install lives. The registry keeps the page LGSF's councillor scraper starts from,
    # at any depth below the install: `/EssexCmis5/Councillors.aspx` (cmis5),
    # `/cmis5public/Councillors.aspx` (the public-facing cmis5 install), or a DNN page in path
    # form, `/dms/Councillors/tabid/63/ScreenMode/Alphabetical/Default.aspx` (/dms/). The root is
    # the path before the first segment naming a page (.aspx) or the members' section
    # (`Councillors/`, `CouncilandGovernance/`); an install may itself sit in a folder named for
    # committees (Sunderland: `/committees/cmis5`).
    root_stop_re = re.compile(r"\.aspx$|^(council|members$)", re.I)

    # The month calendar without JavaScript. Its default view is a script widget that changes
    # month by postback; this view takes the month in the path, as a plain GET, for any month
    # (LGSF). DNN routes a path-form URL by its tabid, whatever the page name before it, and tab
    # 70 / module 397 is the calendar on every CMIS install seen (Birmingham, Hull, Cambridgeshire,
    # North Ayrshire, Nottinghamshire).
    calendar_path = "Meetings/tabid/70/ctl/MeetingCalendarPublicNoJava/mid/397/Date/{month}/Default.aspx"

    # ASP.NET WebForms: every page is one <form id="Form"> carrying __VIEWSTATE and
    # __EVENTVALIDATION. A meeting's documents list is a paged grid whose other pages are reached
    # only by posting that form back (__EVENTTARGET = the pager, __EVENTARGUMENT = "Page$2"); the
    # view state must be the one the page just served, so the pages are asked for one after the
    # other, each from the last. A postback that fails leaves the meeting unstored: it is
    # recorded against the meeting page, which the next run asks for again (and posts back anew).
    form_id = "Form"
    # The same form is WebForms plumbing, not the page: its hidden state (__VIEWSTATE,
    # __EVENTVALIDATION, DNN's anti-forgery token, which some installs vary from visit to visit)
    # and the <form> element wrapping the whole page (extract/ drops forms, which are search boxes
    # on other sites and here would be all of it). Stored pages have both taken out; the postback
    # reads the page as served.
    webforms_re = re.compile(r"<input\b[^>]*\btype=[\"']?hidden[^>]*>|</?form\b[^>]*>", re.I)

    # Cookieless ASP.NET sessions: some installs redirect a visitor without one to
    # `/(S(<id>))/...` under the install root and keep it in every link. canonical_url drops the
    # segment (papers/urls.py), so a page is one document whatever session it was read in.

    def __init__(self, councils: list[dict], *args, **kw):
        super().__init__([{**c, "base_url": self.install_root(c["base_url"])} for c in councils], *args, **kw)

    @classmethod
    def install_root(cls, base_url: str) -> str:
        """The install's root URL (no trailing slash) from the registry's base URL."""
        parts = urlsplit(base_url)
        kept = []
        for segment in parts.path.split("/"):
            if cls.root_stop_re.search(segment):
                break
            kept.append(segment)
        return urlunsplit((parts.scheme, parts.netloc, "/".join(kept).rstrip("/"), "", ""))

    def stored_body(self, html: str) -> str:
        return self.webforms_re.sub("", super().stored_body(html))

    def council_requests(self, council: dict):
        start, end = self.window(council["id"])
        for month in months(start, end):
            url = f"{council['base_url']}/{self.calendar_path.format(month=month.isoformat())}"
            yield self.request(url, self.parse_calendar, council["id"], month=month.isoformat())

    def parse_calendar(self, response):
        council = response.meta["council"]
        if not self.navigation(response):
            return
        if not parsers.is_calendar(response.text):
            # A site that answers the calendar's URL with another page (an install whose calendar
            # sits on other tab and module ids) would otherwise look like one with no meetings.
            self.record_failure(
                council,
                response.request.url,
                response.url,
                "not a CMIS meetings calendar (does this install put it on another tab or module?)",
                callback="parse_calendar",
                meta={"month": response.meta["month"]},
            )
            return
        month = date.fromisoformat(response.meta["month"])
        for row in parsers.parse_calendar_month(response.text, response.url, month):
            yield self.request(
                row["url"],
                self.parse_meeting,
                council,
                committee=row["committee"],
                date=row["date"],
                meeting=row["meeting"],
            )

    def parse_meeting(self, response):
        """The meeting page -> its agenda items' pages, then its document list's other pages by
        postback; the meeting's Document once every page of its list has answered."""
        council, meta = response.meta["council"], response.meta
        if not self.answered(response):
            return
        summary = parsers.parse_summary(response.text)
        committee = summary.get("Committee") or meta.get("committee")
        page_type, ids = classify(response.url)
        doc = self.document(
            response,
            page_type,
            document_id(council, page_type, ids, canonical_url(response.url)),
            ids,
            {
                "title": " - ".join(x for x in (committee, summary.get("Date/Time")) if x) or None,
                "committee": committee,
                "decision_maker": committee,
                "date": parsers.summary_date(summary.get("Date/Time")) or meta.get("date"),
            },
            parsers.parse_documents(response.text, response.url),
        )
        for item in parsers.parse_agenda_items(response.text, response.url):
            yield self.request(
                item["url"],
                self.parse_item,
                council,
                committee=doc.committee,
                date=doc.date,
                meeting=ids.get("meeting"),
                title=item["title"],
            )
        yield from self.next_page(response, doc, parsers.parse_postbacks(response.text))

    def next_page(self, response, doc, pending: list[tuple[str, str]]):
        """Post the form back for the next page of the documents list, or yield the Document."""
        if not pending:
            yield doc
            return
        target, argument = pending[0]
        form = parsers.parse_form(response.text, response.url, self.form_id)
        if form is None:  # a pager without its form: nothing to post back
            yield doc
            return
        action, fields = form
        yield scrapy.FormRequest(
            action,
            formdata={**fields, "__EVENTTARGET": target, "__EVENTARGUMENT": argument},
            callback=self.parse_documents_page,
            errback=self.postback_failed,
            meta={
                "council": doc.council,
                "doc": doc,
                "pending": pending[1:],
                "postback": argument,
                "meeting_url": response.url,
                **({"download_slot": doc.council} if self.slot_per_council else {}),
            },
        )

    def parse_documents_page(self, response):
        doc = response.meta["doc"]
        self.tally.answered(doc.council)
        held = {a.url for a in doc.attachments}
        for a in parsers.parse_documents(response.text, response.url):
            if a["url"] not in held:
                doc.attachments.append(Attachment(url=a["url"], title=a["title"]))
        yield from self.next_page(response, doc, response.meta["pending"])

    def postback_failed(self, failure: Failure) -> None:
        """The meeting is not stored this run; its page is asked for again first next run."""
        meta = failure.request.meta
        doc = meta["doc"]
        self.fetches.pop(doc.url, None)
        error = (
            f"HTTP {failure.value.response.status}"
            if failure.check(HttpError)
            else f"{type(failure.value).__name__}: {one_line(failure.value)}"
        )
        self.record_failure(
            doc.council,
            meta["meeting_url"],
            meta["meeting_url"],
            f"postback {meta['postback']} of the documents list: {error}",
            callback="parse_meeting",
            meta={"committee": doc.committee, "date": doc.date, "meeting": doc.platform_ids.get("meeting")},
        )

    def parse_item(self, response):
        """An agenda item page: its text, decision and reports."""
        council, meta = response.meta["council"], response.meta
        if not self.answered(response):
            return
        parsed = parsers.parse_item(response.text, response.url)
        page_type, ids = classify(response.url)
        if meta.get("meeting"):
            ids = {**ids, "meeting": str(meta["meeting"])}
        yield self.document(
            response,
            page_type,
            document_id(council, page_type, ids, canonical_url(response.url)),
            ids,
            {
                "title": parsed["title"] or meta.get("title"),
                "committee": parsed["committee"] or meta.get("committee"),
                "decision_maker": parsed["decision_maker"] or meta.get("committee"),
                "date": parsed["date"] or meta.get("date"),
            },
            parsed["attachments"],
        )
