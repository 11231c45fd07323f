"""Canonical URLs and ModernGov page types: one place for both, read by the crawler (ids, request
fingerprints) and by extract (record ids, page types of documents given by URL).

ModernGov links one page many ways: with a cookieless-session segment `/(S(...))/`, with query
keys in any case (`MID` or `MId`: ASP.NET ignores their case) and order, with a layout version
(`Ver=4`) or an empty leading `&`. The canonical form drops all of that; requests keep the link
as given (some councils require the `?T=` suffix they put on document links).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from papers.schema import PageType

SESSION_RE = re.compile(r"/\(S\([^)/]*\)\)(?=/)", re.I)
# Council sites answer plain http by redirecting to https: one page, whichever scheme linked it.
# Loopback hosts (the offline snapshot, tests) speak only http and keep it.
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
# ieDecisionDetails numbers decisions by `ID` and, on other links, by the agenda item (`AIId`);
# the two sequences overlap, so an agenda-item number gets its own id space.
ITEM_DECISION_PREFIX = "ai-"
# Parameters that change how a page looks, never which page it is.
PRESENTATION_PARAMS = {"ver"}

# ModernGov page name -> (GUIDE page_type, {platform id name: query key}); keys lower-case (see
# canonical_url). The meeting documents page (ieListDocuments: agenda, reports, printed minutes)
# is what the GUIDE and its gold labels call "minutes"; mgIssueHistoryHome is "issue details"
# whatever its Opt tab (the decisions tab is mgDecisionDetails).
MODERNGOV_PAGES: dict[str, tuple[PageType, dict[str, str]]] = {
    "iedecisiondetails.aspx": ("decision_details", {"decision": "id", "item": "aiid"}),
    "mgdecisiondetails.aspx": ("issue_decisions", {"issue": "iid"}),
    "ieissuedetails.aspx": ("issue_meetings", {"issue": "iid"}),
    "mgissuehistoryhome.aspx": ("issue_details", {"issue": "iid"}),
    "mgai.aspx": ("agenda_item", {"item": "id"}),
    "ielistdocuments.aspx": ("minutes", {"meeting": "mid", "committee": "cid"}),
}


def canonical_url(url: str) -> str:
    """Scheme and host lower-cased (http as https, but on loopback), session segment removed, query
    keys lower-cased and sorted, presentation-only and empty parameters dropped, fragment dropped."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme == "http" and (parts.hostname or "") not in LOOPBACK_HOSTS:
        scheme = "https"
    path = SESSION_RE.sub("", parts.path) or "/"
    path = quote(unquote(path), safe="/()%-._~")
    aspx = path.lower().endswith((".aspx", ".asmx")) or ".asmx/" in path.lower()
    pairs = [(k.lower() if aspx else k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    pairs = sorted((k, v) for k, v in pairs if v != "" and k.lower() not in PRESENTATION_PARAMS)
    netloc = parts.netloc.lower()
    for default in (":80", ":443"):
        if netloc.endswith(default) and parts.scheme.lower() == {":80": "http", ":443": "https"}[default]:
            netloc = netloc[: -len(default)]
    return urlunsplit((scheme, netloc, path, urlencode(pairs), ""))


def classify(url: str) -> tuple[PageType, dict[str, str]]:
    """(page type, platform ids) of a ModernGov page URL; ("other", {}) when unknown."""
    canon = urlsplit(canonical_url(url))
    page = canon.path.rsplit("/", 1)[-1].lower()
    page_type, keys = MODERNGOV_PAGES.get(page, ("other", {}))
    q = dict(parse_qsl(canon.query))
    return page_type, {name: q[key] for name, key in keys.items() if q.get(key)}
