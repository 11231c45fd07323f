"""The run summary: per council and in total, new / changed / unchanged / failed documents.

One place for its shape, shared by the crawl worker (which fills it) and `papers crawl` (which
prints it). Failed counts requests (pages or files) that still failed after retries; they are
recorded in the crawl state and asked for again on the next run.

Per council it also says how the site answered, which item counts cannot: on an incremental run
over an unchanged site there is nothing new, yet every listing still answers (often 304).
`requests` counts requests answered (2xx, or 304 Not Modified) and failed; `seconds` is the wall
time from the council's first request to its last answer, summed over the spiders.

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
        self._lock = threading.Lock()

    def begin(self, council: str) -> None:
        """A spider starts on this council: its time runs until the last answer or failure."""
        now = time.monotonic()
        self.spans[council].append([now, now])

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
            self.unreachable[council] = reason
        self.failed(council, url, f"site unreachable: {reason}")
        return True

    def answered(self, council: str) -> None:
        """A request the site answered (a page, a 304 for one, a downloaded file)."""
        with self._lock:
            self.answered_requests[council] += 1
            self._touch(council)

    def status(self, council: str) -> str:
        """ok; partial (some requests failed); failed (its site could not be reached, or nothing
        answered: the site is down, or its robots.txt shuts us out; its resume point stays put)."""
        if council in self.unreachable:
            return "failed"
        if (self.counts[council]["failed"] or self.skipped[council]) and not self.answered_requests[council]:
            return "failed"
        return "partial" if self.counts[council]["failed"] else "ok"

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
