"""Item pipelines, one per concern: attachments first (files pipeline), then the store.

A document is written with its crawl state in one transaction, after its attachments are on disk
(written to a temporary name, then renamed): a killed run leaves whole files and whole documents,
never a document pointing at half a file.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import os
import re
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.http import Response
from scrapy.pipelines.files import FilesPipeline, FSFilesStore
from scrapy.pipelines.media import MediaPipeline

from crawlers.settings import PARTIAL_DIR
from crawlers.state import HeldFile, SkippedFile
from crawlers.urls import canonical_url
from papers.schema import Document

log = logging.getLogger(__name__)


class FileProblem(Exception):
    """A downloaded file we will not keep (not what it claims to be, cut short); retried next run."""


class FileSkipped(Exception):
    """A file over the size cap, or one skipped before that the server says is unchanged (304)."""


class FileGone(Exception):
    """A file answering 404/410 or redirected to the site's error page: recorded as gone (as pages
    are, crawl_gone), never asked for again."""


# Scrapy's words when a download passes download_maxsize (from the Content-Length, or on the way).
OVER_CAP = re.compile(r"(\d+) bytes which is larger than download max size \((\d+)\)")


class AtomicFSFilesStore(FSFilesStore):
    """Write to a temporary name and rename, so a killed run never leaves half a file."""

    def persist_file(self, path, buf, info, meta=None, headers=None) -> None:
        target = self._get_filesystem_path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = Path(self.basedir) / PARTIAL_DIR
        partial.mkdir(exist_ok=True)
        tmp = partial / f"{target.name}.{os.getpid()}.tmp"
        with open(tmp, "wb") as fh:
            fh.write(buf.getvalue())
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)


def pdf_problem(body: bytes) -> str | None:
    """Why these bytes are not a whole PDF, or None. Councils serve HTML error pages as .pdf and
    connections drop mid-file; a PDF starts with %PDF- and ends with %%EOF (allowing trailing
    whitespace and the odd byte of junk after it)."""
    if not body.startswith(b"%PDF-"):
        return "not a PDF (server sent something else)"
    if b"%%EOF" not in body[-1024:]:
        return "truncated PDF (no %%EOF trailer)"
    return None


class AttachmentsPipeline(FilesPipeline):
    """Download each Document's attachments once, addressed by sha256 under settings.files_dir.

    Files already held (crawl_files) are not fetched again: `documents/s123` names one file for
    good. Except while their page's meeting or decision is inside the look-back window: agenda
    packs, printed minutes and `mgConvert2PDF` answers change at the same URL until they settle.
    Files answering 404/410 or redirected to the site's error page are recorded as gone (crawl_gone,
    as pages are) and never asked for again.
    """

    STORE_SCHEMES = {**FilesPipeline.STORE_SCHEMES, "": AtomicFSFilesStore, "file": AtomicFSFilesStore}

    def __init__(self, store_uri, *, crawler=None, **kw):
        super().__init__(store_uri, crawler=crawler, **kw)
        self.max_bytes = crawler.settings.getint("FILES_MAX_BYTES")
        self.files_dir = Path(store_uri)
        self.heard: dict[str, dict] = {}  # validators of file responses, by canonical URL
        self.skipped_now: dict[str, SkippedFile | None] = {}  # None: skipped before, unchanged
        crawler.signals.connect(self._headers_received, signal=signals.headers_received)

    def _headers_received(self, headers, body_length, request, spider) -> None:
        if request.meta.get("file"):
            self.heard[canonical_url(request.url)] = {
                "size": body_length if body_length is not None and body_length >= 0 else None,
                "etag": _header(headers, b"ETag"),
                "last_modified": _header(headers, b"Last-Modified"),
            }

    def get_media_requests(self, item: Document, info: MediaPipeline.SpiderInfo) -> list[Request]:
        state = info.spider.state
        recheck = bool(item.date) and item.date >= info.spider.recheck_since
        requests = []
        for att in item.attachments:
            url = canonical_url(att.url)
            if state.gone(url):
                continue
            held = state.file(url)
            if held and (self.files_dir / held.path).exists() and not recheck:
                att.path, att.sha256, att.size, att.content_type = (
                    held.path,
                    held.sha256,
                    held.size,
                    held.content_type,
                )
                continue
            meta = {"file": True, "council": item.council, "download_maxsize": self.max_bytes}
            skipped = state.skipped_file(url)
            if skipped and (skipped.size is None or skipped.size > self.max_bytes):
                att.size = skipped.size
                if not (skipped.etag or skipped.last_modified or skipped.size):
                    continue  # the server gave nothing to tell a change by: not asked again
                # Asked conditionally: unchanged is a bodiless 304; a still-too-big file stops at
                # its Content-Length; only a changed file that now fits is downloaded.
                headers = {"If-None-Match": skipped.etag, "If-Modified-Since": skipped.last_modified}
                headers = {k: v for k, v in headers.items() if v}
                requests.append(Request(att.url, headers=headers, meta={**meta, "skipped": True}))
                continue
            requests.append(Request(att.url, meta=meta))
        return requests

    def media_failed(self, failure, request: Request, info):
        """Over the cap (or skipped and unchanged): noted for item_completed, not a failure."""
        url = canonical_url(request.url)
        heard = self.heard.pop(url, {})
        over = OVER_CAP.search(str(failure.value))
        size = int(over.group(1)) if over else heard.get("size")
        if over or (size is not None and size > self.max_bytes):
            self.skipped_now[url] = SkippedFile(
                url, size, self.max_bytes, heard.get("etag"), heard.get("last_modified")
            )
            raise FileSkipped(f"{size} bytes, over the {self.max_bytes}-byte cap") from None
        if isinstance(failure.value, FileSkipped):  # a 304 (media_downloaded)
            self.skipped_now[url] = None
            raise FileSkipped("unchanged since it was skipped") from None
        if isinstance(failure.value, FileGone):  # recorded in media_downloaded
            raise failure.value
        return super().media_failed(failure, request, info)

    def media_downloaded(self, response: Response, request: Request, info, *, item=None):
        if response.status == 304 and request.meta.get("skipped"):
            raise FileSkipped("unchanged since it was skipped")
        spider = info.spider
        if response.status in spider.gone_statuses or spider.at_error_page(response):
            reason = f"HTTP {response.status}" if response.status != 200 else f"redirected to {response.url}"
            spider.page_gone(request, request.meta["council"], reason)
            raise FileGone(reason)
        return super().media_downloaded(response, request, info, item=item)

    def media_to_download(self, request: Request, info, *, item=None):
        return None  # held files never reach here (get_media_requests); new ones always download

    def file_path(self, request: Request, response: Response | None = None, info=None, *, item=None) -> str:
        sha = hashlib.sha256(response.body).hexdigest() if response is not None else "unknown"
        suffix = PurePosixPath(urlsplit(request.url).path).suffix.lower()
        if suffix not in {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".htm", ".html", ".txt", ".rtf", ".odt"}:
            ctype = (
                response.headers.get("Content-Type", b"").decode().split(";")[0]
                if response is not None
                else ""
            )
            suffix = mimetypes.guess_extension(ctype) or ".bin"
        return f"{sha[:2]}/{sha}{suffix}"

    def file_downloaded(self, response: Response, request: Request, info, *, item=None) -> str:
        ctype = response.headers.get("Content-Type", b"").decode().split(";")[0].strip()
        if ctype == "application/pdf" or urlsplit(request.url).path.lower().endswith(".pdf"):
            problem = pdf_problem(response.body)
            if problem:
                raise FileProblem(problem)
        return super().file_downloaded(response, request, info, item=item)

    def item_completed(self, results, item: Document, info) -> Document:
        spider = info.spider
        by_url = {}
        for ok, result in results:
            if ok:
                by_url[canonical_url(result["url"])] = result
                spider.tally.answered(item.council)
        for att in item.attachments:
            if att.sha256:
                continue
            result = by_url.get(canonical_url(att.url))
            if result is None and canonical_url(att.url) in self.skipped_now:
                self._skipped(spider, item.council, att)
                continue
            if result is None and spider.state.gone(canonical_url(att.url)):
                continue  # recorded as gone (this run or before), not a failure
            if result is None:
                error = self._error(results, att.url)
                spider.record_failure(item.council, item.url, att.url, f"attachment {att.url}: {error}")
                continue
            path = self.files_dir / result["path"]
            ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            att.path, att.size, att.content_type = result["path"], path.stat().st_size, ctype
            att.sha256 = result["path"].rsplit("/", 1)[-1].split(".")[0]
            held = HeldFile(canonical_url(att.url), att.path, att.sha256, att.size, att.content_type)
            spider.files_pending[canonical_url(att.url)] = held
        return item

    def _skipped(self, spider, council: str, att) -> None:
        """Record a file over the cap once (its size, URL and the cap), not as a failure."""
        skipped = self.skipped_now.pop(canonical_url(att.url))
        if skipped is None:  # as recorded before
            return
        att.size = skipped.size
        log.info(
            "%s: %s skipped: %s bytes, over the %d-byte cap", council, att.url, skipped.size, skipped.cap
        )
        with spider.store.transaction():
            spider.state.save_skipped(council, skipped)

    @staticmethod
    def _error(results, url: str) -> str:
        for ok, result in results:
            if not ok:
                exc = result.value
                cause = exc.__cause__ or exc.__context__ or exc
                return str(cause) or type(cause).__name__
        return "not downloaded"


def _header(headers, name: bytes) -> str | None:
    value = headers.get(name)
    return value.decode("latin-1") if value else None


class StorePipeline:
    """Put each Document in the store with its crawl state, in one transaction, and count it."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler) -> StorePipeline:
        return cls(crawler)

    def process_item(self, item: Document) -> Document:
        spider = self.crawler.spider
        fetch = spider.fetches.pop(item.url, None)
        store, state = spider.store, spider.state
        old = store.get_document(item.id)
        old_files = {a.url: a.sha256 for a in old.attachments} if old else {}
        new_files = {a.url: a.sha256 for a in item.attachments}
        files_changed = any(sha and old_files.get(url) != sha for url, sha in new_files.items())
        if fetch and fetch["not_modified"] and old is not None and not files_changed:
            spider.tally.document(item.council, item.id, "unchanged")  # nothing to write
            return item
        with store.transaction():
            outcome = store.put_document(item)
            if outcome == "unchanged" and files_changed:
                outcome = "changed"  # a file that failed last time arrived: extraction must see it
            for a in item.attachments:
                held = spider.files_pending.pop(canonical_url(a.url), None)
                if held:
                    state.save_file(held.url, item.council, held)
                    state.clear_skipped(held.url)  # fits now (a raised cap, a smaller file)
            if fetch:
                state.save_page(
                    item.url,
                    item.council,
                    fetch["etag"],
                    fetch["last_modified"],
                    item.sha256,
                    fetch["content_type"],
                    fetch["body"],
                    item.id,
                )
                state.clear_failure(item.url)
        spider.tally.document(item.council, item.id, outcome)
        return item
