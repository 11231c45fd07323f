"""The run summary: per council and in total, new / changed / unchanged / failed documents.

One place for its shape, shared by the crawl worker (which fills it) and `papers crawl` (which
prints it). Failed counts requests (pages or files) that still failed after retries; they are
recorded in the crawl state and asked for again on the next run.

Per council it also says how the site answered, which item counts cannot: on an incremental run
over an unchanged site there is nothing new, yet every listing still answers (often 304).
`requests` counts requests answered (2xx, or 304 Not Modified) and failed; `seconds` is the wall
time from the council's first request to its last answer, summed over the spiders.

`gone` counts pages that answered 404/410 or redirected to the site's error page: recorded once
and not asked for again. `listed` counts the rows its decision listings held. `flags` name faults
that leave nothing failed yet mean the crawl is not to be trusted ("web_service_not_xml",
"error_page", "listings_empty", ...): a flagged council's status is never "ok".

A council whose site could not be reached (crawlers.middlewares.SiteBreaker) has `unreachable`
set to the reason, one failure entry saying so, and status "failed": the rest of its requests
were dropped unfetched, so it keeps its resume point and the next run asks for them again.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict

COUNTS = ("new", "changed", "unchanged", "failed")


class Tally:
    """Counts filled in while crawling (one per worker process, shared by its spiders)."""

    def __init__(self, councils: list[str]):
        self.councils = list(councils)
        self.counts: dict[str, dict[str, int]] = {c: dict.fromkeys(COUNTS, 0) for c in councils}
        self.ids: dict[str, list[str]] = {"new": [], "changed": []}
        self.failures: dict[str, list[dict]] = defaultdict(list)
        self.answered_requests: dict[str, int] = defaultdict(int)
        self.skipped: dict[str, int] = defaultdict(int)  # robots.txt and the like: not failures
        self.spans: dict[str, list[list[float]]] = defaultdict(list)  # [first request, last answer]
        self.unreachable: dict[str, str] = {}  # council -> why its site could not be reached
        self.gone: dict[str, int] = defaultdict(int)
        self.listed: dict[str, int] = defaultdict(int)
        self.flags: dict[str, dict[str, str]] = defaultdict(dict)  # council -> {flag: message}
        # A shared democracy site is crawled under its first council (crawlers/sites.py): what
        # the site does (answers, goes down) is true of every council on it.
        self.siblings: dict[str, list[str]] = {}
        self._lock = threading.Lock()

    def on_site(self, council: str) -> list[str]:
        return self.siblings.get(council, [council])

    def flag(self, council: str, flag: str, message: str) -> None:
        """A named fault that fails no request but must not leave the council "ok"."""
        with self._lock:
            self.flags[council].setdefault(flag, message)

    def begin(self, council: str) -> None:
        """A spider starts on this council: its time runs until the last answer or failure."""
        now = time.monotonic()
        for c in self.on_site(council):
            self.spans[c].append([now, now])

    def _touch(self, council: str) -> None:
        if self.spans[council]:
            self.spans[council][-1][1] = time.monotonic()

    def seconds(self, council: str) -> float:
        return round(sum(end - start for start, end in self.spans.get(council, ())), 3)

    def document(self, council: str, doc_id: str, outcome: str) -> None:
        with self._lock:
            self.counts.setdefault(council, dict.fromkeys(COUNTS, 0))[outcome] += 1
            if outcome in self.ids:
                self.ids[outcome].append(doc_id)

    def failed(self, council: str, url: str, error: str) -> None:
        with self._lock:
            self.counts.setdefault(council, dict.fromkeys(COUNTS, 0))["failed"] += 1
            self.failures[council].append({"url": url, "error": error})
            self._touch(council)

    def site_unreachable(self, council: str, url: str, reason: str) -> bool:
        """The council's site cannot be reached: one failure entry for the whole site. True the
        first time (the caller says so once), False when it was already known."""
        with self._lock:
            if council in self.unreachable:
                return False
            for c in self.on_site(council):
                self.unreachable[c] = reason
        for c in self.on_site(council):
            self.failed(c, url, f"site unreachable: {reason}")
        return True

    def answered(self, council: str) -> None:
        """A request the site answered (a page, a 304 for one, a downloaded file)."""
        with self._lock:
            for c in self.on_site(council):
                self.answered_requests[c] += 1
                self._touch(c)

    def status(self, council: str) -> str:
        """ok; partial (some requests failed, or a flag was raised); failed (its site could not be reached, or nothing
        answered: the site is down, or its robots.txt shuts us out; its resume point stays put)."""
        if council in self.unreachable:
            return "failed"
        if (self.counts[council]["failed"] or self.skipped[council]) and not self.answered_requests[council]:
            return "failed"
        return "partial" if self.counts[council]["failed"] or self.flags.get(council) else "ok"

    def summary(self) -> dict:
        councils = {
            c: {
                **self.counts[c],
                "status": self.status(c),
                "failures": self.failures.get(c, []),
                "skipped": self.skipped.get(c, 0),
                "requests": {
                    "answered": self.answered_requests.get(c, 0),
                    "failed": self.counts[c]["failed"],
                },
                "seconds": self.seconds(c),
                "unreachable": self.unreachable.get(c),
                "gone": self.gone.get(c, 0),
                "listed": self.listed.get(c, 0),
                "flags": [{"flag": f, "message": m} for f, m in sorted(self.flags.get(c, {}).items())],
            }
            for c in self.counts
        }
        totals = {k: sum(v[k] for v in councils.values()) for k in COUNTS}
        return {
            "councils": councils,
            "totals": totals,
            "new_ids": sorted(self.ids["new"]),
            "changed_ids": sorted(self.ids["changed"]),
            "failed_councils": sorted(c for c, v in councils.items() if v["status"] == "failed"),
        }
