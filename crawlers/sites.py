"""Democracy sites shared by several councils: crawled once, each page given to its council.

Some councils run one ModernGov site between them (Adur and Worthing, Babergh and Mid Suffolk,
...): the registry gives them one base URL, sometimes spelt with different schemes. Crawled per
council, every request of the second would be a duplicate of the first's (the request
fingerprints match) and that council would get nothing while reporting "ok". So a site is crawled
under its first council, and each page goes to the council whose `attribution` pattern (a
registry column) its committee, decision maker or title matches; joint bodies, matching none or
several, stay with the first.
"""

from __future__ import annotations

import re

from papers.urls import canonical_url


def site_key(base_url: str) -> str:
    """The same site however its base URL is written (scheme, case, trailing slash)."""
    return canonical_url(base_url.rstrip("/") + "/")


def group_sites(councils: list[dict]) -> dict[str, list[str]]:
    """First council of each site -> every council on it (first included), in the given order.
    The first keeps an https base URL when any member's is."""
    groups: dict[str, list[dict]] = {}
    for row in councils:
        groups.setdefault(site_key(row["base_url"]), []).append(row)
    out = {}
    for rows in groups.values():
        secure = next((r["base_url"] for r in rows if r["base_url"].startswith("https:")), None)
        if secure:
            rows[0]["base_url"] = secure
        out[rows[0]["id"]] = [r["id"] for r in rows]
    return out


def attribute(members: list[dict], *texts: str | None) -> str:
    """The member council whose attribution pattern the page's texts match, else the first."""
    if len(members) == 1:
        return members[0]["id"]
    text = " ".join(t for t in texts if t)
    named = [m["id"] for m in members if m.get("attribution") and re.search(m["attribution"], text)]
    return named[0] if len(named) == 1 else members[0]["id"]
