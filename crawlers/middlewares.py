"""Downloader middlewares: conditional requests against the crawl state, retries with backoff, a
circuit breaker that stops asking a council's site for anything once it cannot be reached, and
robots.txt read once per site per run."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlsplit

from OpenSSL.SSL import Error as TLSError
from scrapy import Request, Spider
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.http import Response
from scrapy.responsetypes import responsetypes
from twisted.internet.error import ConnectError, DNSLookupError
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from crawlers.urls import canonical_url

log = logging.getLogger(__name__)


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, its parsed files shared by the spiders of one crawl worker:
    a platform's spiders run one after the other over the same sites, and each asked every site
    for robots.txt again (a ninth of a national night's requests). A file that could not be read
    is not shared: the next spider tries again."""

    parsed: dict[str, object] = {}  # netloc -> robot parser, for this process's run

    async def robot_parser(self, request: Request):
        netloc = urlsplit(request.url).netloc
        if netloc not in self._parsers and netloc in self.parsed:
            self._parsers[netloc] = self.parsed[netloc]
        return await super().robot_parser(request)

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        await super()._parse_robots(response, netloc, request)
        self.parsed[netloc] = self._parsers[netloc]


class GonePage(IgnoreRequest):
    """A request for a page recorded as gone (404/410, the error page): not asked for again."""


class ConditionalRequestMiddleware:
    """Ask with If-None-Match / If-Modified-Since for pages seen before; on 304, hand the spider
    the body we kept (flagged `not_modified`) so it still follows the page's links, and the
    pipeline knows there is nothing to write. Pages recorded as gone are not asked for."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler) -> ConditionalRequestMiddleware:
        return cls(crawler)

    @property
    def spider(self) -> Spider:
        return self.crawler.spider

    def process_request(self, request: Request) -> None:
        # Files are stable; a postback (POST) is never conditional: its answer depends on the body.
        if request.meta.get("file") or request.method != "GET" or not hasattr(self.spider, "state"):
            return None
        gone = self.spider.state.gone(canonical_url(request.url))
        if gone:
            raise GonePage(f"{request.url} is gone ({gone})")
        cached = self.spider.state.page(canonical_url(request.url))
        if cached is not None:
            if cached.etag:
                request.headers["If-None-Match"] = cached.etag
            if cached.last_modified:
                request.headers["If-Modified-Since"] = cached.last_modified
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status != 304 or request.meta.get("file"):
            return response
        cached = self.spider.state.page(canonical_url(request.url))
        if cached is None:  # a 304 we did not ask for: treat as an empty answer
            return response
        headers = {"Content-Type": cached.content_type or "text/html; charset=utf-8"}
        cls = responsetypes.from_args(headers=headers, url=response.url, body=cached.body)
        return cls(
            url=response.url,
            status=200,
            headers=headers,
            body=cached.body,
            request=request,
            flags=[*response.flags, "not_modified"],
        )


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries, waiting before each one: RETRY_BACKOFF_BASE doubled per attempt, capped at
    RETRY_BACKOFF_MAX, or the server's Retry-After when it asks for longer (429)."""

    def __init__(self, settings):
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE")
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX")

    def _will_retry(self, request: Request) -> bool:
        limit = request.meta.get("max_retry_times", self.max_retry_times)
        return not request.meta.get("dont_retry") and request.meta.get("retry_times", 0) < limit

    def _delay(self, request: Request, response: Response | None = None) -> float:
        delay = min(self.cap, self.base * 2 ** request.meta.get("retry_times", 0))
        after = response.headers.get("Retry-After") if response is not None else None
        if after and after.decode().strip().isdigit():
            delay = max(delay, min(float(after.decode()), self.cap))
        return delay

    async def process_response(self, request: Request, response: Response):
        if response.status in self.retry_http_codes and self._will_retry(request):
            await asyncio.sleep(self._delay(request, response))
        return super().process_response(request, response)

    async def process_exception(self, request: Request, exception: Exception):
        if isinstance(exception, self.exceptions_to_retry) and self._will_retry(request):
            await asyncio.sleep(self._delay(request))
        return super().process_exception(request, exception)


def site_of(url: str) -> str:
    """scheme://host[:port]: what answers, or does not (one host may serve http and not https)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class SiteUnreachable(IgnoreRequest):
    """A request dropped unfetched because its council's site could not be reached this run."""


def one_line(exc: BaseException) -> str:
    """An exception as one readable line: Twisted wraps a failed response's reasons in a list of
    Failures, and OpenSSL its errors in a list of (library, function, reason) tuples."""
    cause = exc.__cause__ if isinstance(exc, DownloadFailedError) else exc
    if isinstance(cause, ResponseFailed) and cause.reasons:
        return "; ".join(one_line(r.value) for r in cause.reasons)
    if isinstance(exc, TLSError) and exc.args and isinstance(exc.args[0], list):
        return ", ".join(str(e[-1]) for e in exc.args[0] if isinstance(e, tuple) and e) or str(exc)
    return str(exc) or type(exc).__name__


def connection_failure(exc: BaseException, request: Request) -> str | None:
    """Why the site behind `request` could not be reached at all (DNS, refused, no answer, TLS), or
    None when it answered something (an HTTP error, a cut-off body) or the failure is not the
    network's."""
    parts = urlsplit(request.url)
    site = parts.netloc
    if isinstance(exc, CannotResolveHostError | DNSLookupError):
        return f"DNS lookup failed for {parts.hostname}"
    if isinstance(exc, DownloadConnectionRefusedError):
        return f"connection refused by {site}"
    if isinstance(exc, DownloadTimeoutError):
        # Scrapy sets download_latency when the response headers arrive: a body that is slow to
        # come is a slow page on a live site, not a dead one.
        if "download_latency" in request.meta:
            return None
        return f"no answer from {site} within {request.meta.get('download_timeout', '?')} s"
    cause = exc.__cause__ if isinstance(exc, DownloadFailedError) else exc
    if isinstance(cause, ResponseNeverReceived):
        reasons = [r.value for r in cause.reasons]
        if any(isinstance(r, TLSError) for r in reasons):
            return f"TLS handshake with {site} failed: {one_line(exc)}"
        return f"{site} closed the connection without answering"
    if isinstance(exc, ConnectError):  # no route, TCP timeout, TLS set-up, ... (Twisted's own)
        return f"could not connect to {site}: {exc}"
    return None


class SiteBreaker:
    """A per-council circuit breaker: after `threshold` connection failures in a row (DNS, refused,
    no answer, TLS) with no answer from the site in between, drop every further request for that
    council in this run, unfetched, and say why once (Tally.site_unreachable).

    Slow is not dead: a timeout on a site that has answered this run is a slow page (ASP.NET
    renders a whole page before sending headers; some councils take 30-90 s), counted as that
    request's failure but not toward the breaker. The breaker follows a site that moved: a
    council's site is its base URL as the spider last saw it (http to https, a new host).

    A dead server otherwise costs a nightly job minutes: every yearly listing window since 2000,
    each retried with backoff. HTTP errors (429, 5xx) are answers and reset the count: the
    backoff retries handle those. The council keeps its resume point (its status is "failed"), so
    the next run asks for everything again, and failures recorded earlier stay recorded.

    Sits after the retry middleware (a higher order), so it sees every attempt, retries included.
    """

    # Three: robots.txt alone is asked for three times (RETRY_TIMES = 2) before the first page,
    # with backoff in between; a site that fails all three, answering nothing, is down for this
    # run. Small, because each further attempt costs a timeout or a backoff.
    threshold = 3

    def __init__(self, crawler):
        self.crawler = crawler
        self.streak: dict[str, int] = {}
        self.alive: set[str] = set()  # councils whose site answered something this run

    @classmethod
    def from_crawler(cls, crawler) -> SiteBreaker:
        return cls(crawler)

    def councils_at(self, request: Request) -> list[str]:
        """The councils whose own site `request` goes to: its council (attachments hosted
        elsewhere do not count), or for robots.txt, which carries none, every council there."""
        councils, site, own = self.crawler.spider.councils, site_of(request.url), request.meta.get("council")
        candidates = [own] if own else list(councils)
        return [c for c in candidates if c in councils and site_of(councils[c]["base_url"]) == site]

    def process_request(self, request: Request) -> None:
        unreachable = self.crawler.spider.tally.unreachable
        own = request.meta.get("council")
        down = [c for c in ([own] if own else self.councils_at(request)) if c in unreachable]
        if down:
            raise SiteUnreachable(f"{down[0]}: {unreachable[down[0]]}")
        # A retry copies its meta: the previous attempt's latency would hide a timeout's cause.
        request.meta.pop("download_latency", None)
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        for council in self.councils_at(request):
            self.streak[council] = 0
            self.alive.add(council)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        reason = connection_failure(exception, request)
        if reason is None:
            return None
        spider = self.crawler.spider
        for council in self.councils_at(request):
            if isinstance(exception, DownloadTimeoutError) and council in self.alive:
                continue  # slow, not dead
            self.streak[council] = self.streak.get(council, 0) + 1
            if self.streak[council] >= self.threshold and spider.tally.site_unreachable(
                council, spider.councils[council]["base_url"], reason
            ):
                log.error(
                    "%s: site unreachable: %s (%d connection failures in a row); "
                    "its other requests are dropped and its resume point kept for the next run",
                    council,
                    reason,
                    self.streak[council],
                )
        return None
