"""One line per failure in the crawl worker's log, never a traceback for a site's fault.

Scrapy logs a robots.txt it could not fetch, and a file it would not keep, with the exception's
whole traceback (twice over: "The above exception was the direct cause..."). For a dead server or
a broken PDF that is noise in every nightly log, and it buries the line that matters. These
filters keep each such record to one line, what failed and why; an exception nobody expected
(a bug, not a site) keeps its traceback, at DEBUG (`papers -v`). The media pipeline's record of a
failed file repeats, as a traceback, what the files pipeline has just said in a line: dropped.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.pipelines.media import FileException
from twisted.internet.error import ConnectError, ConnectionClosed, DNSLookupError

from crawlers.middlewares import one_line
from crawlers.pipelines import FileProblem, FileSkipped

ROBOTS_LOGGER = "scrapy.downloadermiddlewares.robotstxt"
FILES_LOGGER = "scrapy.pipelines.files"
MEDIA_LOGGER = "scrapy.pipelines.media"

# What a site or the network does to us: worth a line, not a traceback.
SITE_FAULTS = (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    ResponseDataLossError,
    IgnoreRequest,
    ConnectError,
    ConnectionClosed,
    DNSLookupError,
    FileProblem,
    FileSkipped,
    FileException,
)


class OneLineFailures(logging.Filter):
    """Turn a failure logged with a traceback into one line: what failed, and why."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.exc_info or record.levelno <= logging.DEBUG:
            return True
        exc = record.exc_info[1]
        expected = isinstance(exc, SITE_FAULTS)
        if expected and record.name == MEDIA_LOGGER:
            return False  # the files pipeline has said it, in a line
        if expected:
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        else:
            logging.getLogger(record.name).debug(
                "the traceback behind the next line:", exc_info=record.exc_info
            )
        record.msg, record.args = self.line(record, one_line(exc))
        record.exc_info, record.exc_text = None, None
        return True

    @staticmethod
    def line(record: logging.LogRecord, reason: str) -> tuple[str, tuple]:
        args = record.args
        if record.name == ROBOTS_LOGGER and isinstance(args, dict) and "request" in args:
            url = urlsplit(args["request"].url)
            # Scrapy names the page that was waiting, not robots.txt; and then obeys no rules.
            return (
                "%s://%s/robots.txt not fetched (%s); the site's pages are asked for without it",
                (url.scheme, url.netloc, reason),
            )
        # The media pipeline's message is the whole Failure, traceback and all.
        message = "a file's download failed" if record.name == MEDIA_LOGGER else record.getMessage()
        return ("%s", (message,)) if reason in message else ("%s: %s", (message, reason))


def one_line_failures() -> None:
    """Install the filter on the Scrapy loggers that log site faults with tracebacks."""
    for name in (ROBOTS_LOGGER, FILES_LOGGER, MEDIA_LOGGER):
        logging.getLogger(name).addFilter(OneLineFailures())
