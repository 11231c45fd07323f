"""Document ids and request fingerprints: the same page is one document however it was linked.

Canonical URLs and the ModernGov page table live in papers/urls.py (extract reads them too).
"""

from __future__ import annotations

import hashlib
import re

from scrapy import Request
from scrapy.utils.request import fingerprint

from papers.urls import ITEM_DECISION_PREFIX, canonical_url, classify

__all__ = ["SESSION_IN_LINKS_RE", "CanonicalFingerprinter", "canonical_url", "classify", "document_id"]

SESSION_IN_LINKS_RE = re.compile(r"\(S\([A-Za-z0-9]*\)\)/")
# A meeting's page keeps "meeting" in its id whatever its page type: the page is one document
# before and after its minutes are published, and stored ids already say "meeting".
ID_SEGMENTS = {"minutes": "meeting"}


def document_id(council: str, page_type: str, platform_ids: dict[str, str], url: str) -> str:
    """`{council}:{page_type}:{platform id}`, else `{council}:{page_type}:{sha1(canonical url)[:16]}`.

    A decision known only by its agenda item (`AIId`) is `{council}:decision_details:ai-{AIId}`:
    agenda-item and decision numbers overlap, and must not name one record."""
    segment = ID_SEGMENTS.get(page_type, page_type)
    for key in ("decision", "issue", "item", "meeting"):
        if platform_ids.get(key):
            prefix = ITEM_DECISION_PREFIX if (page_type, key) == ("decision_details", "item") else ""
            return f"{council}:{segment}:{prefix}{platform_ids[key]}"
    return f"{council}:{segment}:{hashlib.sha1(canonical_url(url).encode()).hexdigest()[:16]}"


class CanonicalFingerprinter:
    """Scrapy request fingerprints on canonical URLs, so a page linked under a session id is
    fetched once. A redirect hop keeps its own fingerprint: ModernGov redirects a page to its own
    session URL, which is the same canonical page and must not be dropped as a duplicate."""

    @classmethod
    def from_crawler(cls, crawler) -> CanonicalFingerprinter:
        return cls()

    def fingerprint(self, request: Request) -> bytes:
        fp = fingerprint(request.replace(url=canonical_url(request.url)))
        hops = request.meta.get("redirect_times", 0)
        return fp if not hops else hashlib.sha1(fp + str(hops).encode()).digest()
