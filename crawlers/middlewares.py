"""Downloader middlewares: conditional requests against the crawl state, and retries with backoff."""

from __future__ import annotations

import asyncio
import logging

from scrapy import Request, Spider
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.responsetypes import responsetypes

from crawlers.urls import canonical_url

log = logging.getLogger(__name__)


class ConditionalRequestMiddleware:
    """Ask with If-None-Match / If-Modified-Since for pages seen before; on 304, hand the spider
    the body we kept (flagged `not_modified`) so it still follows the page's links, and the
    pipeline knows there is nothing to write."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler) -> ConditionalRequestMiddleware:
        return cls(crawler)

    @property
    def spider(self) -> Spider:
        return self.crawler.spider

    def process_request(self, request: Request) -> None:
        if request.meta.get("file") or not hasattr(self.spider, "state"):
            return None
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
