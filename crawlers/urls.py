"""Canonical URLs and document ids: the same page is one document however it was linked.

ModernGov links one page many ways: with a cookieless-session segment `/(S(...))/`, with query
keys in any case (`MID` or `MId`: ASP.NET ignores their case) and order, with a layout version
(`Ver=4`) or an empty leading `&`. The canonical form drops all of that; requests keep the link
as given (some councils require the `?T=` suffix they put on document links).
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from scrapy import Request
from scrapy.utils.request import fingerprint

SESSION_RE = re.compile(r"/\(S\([^)/]*\)\)(?=/)", re.I)
SESSION_IN_LINKS_RE = re.compile(r"\(S\([A-Za-z0-9]*\)\)/")
# Parameters that change how a page looks, never which page it is.
PRESENTATION_PARAMS = {"ver"}

# ModernGov page -> (page type, {id name: query key}). Keys are lower-case (see canonical_url).
PAGE_TYPES: dict[str, tuple[str, dict[str, str]]] = {
    "iedecisiondetails.aspx": ("decision_details", {"decision": "id", "item": "aiid"}),
    "mgdecisiondetails.aspx": ("issue_decisions", {"issue": "iid"}),
    "ieissuedetails.aspx": ("issue_meetings", {"issue": "iid"}),
    "mgissuehistoryhome.aspx": ("issue_details", {"issue": "iid"}),
    "mgai.aspx": ("agenda_item", {"item": "id"}),
    "ielistdocuments.aspx": ("meeting", {"meeting": "mid", "committee": "cid"}),
}


def canonical_url(url: str) -> str:
    """Scheme and host lower-cased, session segment removed, query keys lower-cased and sorted,
    presentation-only and empty parameters dropped, fragment dropped."""
    parts = urlsplit(url.strip())
    path = SESSION_RE.sub("", parts.path) or "/"
    path = quote(unquote(path), safe="/()%-._~")
    aspx = path.lower().endswith((".aspx", ".asmx")) or ".asmx/" in path.lower()
    pairs = [(k.lower() if aspx else k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    pairs = sorted((k, v) for k, v in pairs if v != "" and k.lower() not in PRESENTATION_PARAMS)
    netloc = parts.netloc.lower()
    for default in (":80", ":443"):
        if netloc.endswith(default) and parts.scheme.lower() == {":80": "http", ":443": "https"}[default]:
            netloc = netloc[: -len(default)]
    return urlunsplit((parts.scheme.lower(), netloc, path, urlencode(pairs), ""))


def classify(url: str) -> tuple[str, dict[str, str]]:
    """(page type, platform ids) of a ModernGov page URL; ("other", {}) when unknown."""
    canon = urlsplit(canonical_url(url))
    page = canon.path.rsplit("/", 1)[-1].lower()
    page_type, keys = PAGE_TYPES.get(page, ("other", {}))
    q = dict(parse_qsl(canon.query))
    return page_type, {name: q[key] for name, key in keys.items() if q.get(key)}


def document_id(council: str, page_type: str, platform_ids: dict[str, str], url: str) -> str:
    """`{council}:{page_type}:{platform id}`, else `{council}:{page_type}:{sha1(canonical url)[:16]}`."""
    for key in ("decision", "issue", "item", "meeting"):
        if platform_ids.get(key):
            return f"{council}:{page_type}:{platform_ids[key]}"
    return f"{council}:{page_type}:{hashlib.sha1(canonical_url(url).encode()).hexdigest()[:16]}"


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
