"""Every link the site makes, in one place, so pages, feeds and the API agree on addresses."""

from __future__ import annotations

import re
from urllib.parse import quote, quote_plus, urlsplit

_BARE_VALUE = re.compile(r"[\w.\-]+")


def _with(path: str, **params: object) -> str:
    kept = [
        f"{k}={quote_plus(str(v))}"
        for k, v in params.items()
        if v not in (None, "") and not (k == "page" and v == 1)
    ]
    return path + ("?" + "&".join(kept) if kept else "")


def search_url(q: str = "", page: int = 1) -> str:
    return _with("/", q=q.strip(), page=page)


def contracts_url(q: str = "", group_by: str = "council", by_record: bool = False) -> str:
    return _with("/contracts", q=q.strip(), group_by=group_by, by_record="true" if by_record else None)


def contracts_download_url(q: str, group_by: str, fmt: str, by_record: bool = False) -> str:
    return _with(
        f"/api/contracts.{fmt}", q=q.strip(), group_by=group_by, by_record="true" if by_record else None
    )


def supplier_href(key: str) -> str:
    """/suppliers/<normalised key>, the key percent-encoded (it has spaces)."""
    return "/suppliers/" + quote(key, safe="")


def feed_url(q: str = "") -> str:
    return _with("/feed", q=q.strip())


def api_search_url(q: str = "") -> str:
    return _with("/api/search", q=q.strip())


def record_href(record_id: str) -> str:
    """/records/<id>: ids keep their ':' and '/' readable, anything else is percent-encoded."""
    return "/records/" + quote(record_id, safe=":/")


def api_record_href(record_id: str) -> str:
    return "/api" + record_href(record_id)


def attachment_href(record_id: str, index: int) -> str:
    return f"{record_href(record_id)}/attachments/{index}"


def filter_token(field: str, value: object) -> str:
    """`council:bromley`, or `maker:"Executive Member"` when the value needs quoting."""
    text = str(value)
    return f"{field}:{text}" if _BARE_VALUE.fullmatch(text) else f'{field}:"{text}"'


def http_url(url: str | None) -> str | None:
    """The URL when it is http(s), else None: a council page's link never becomes javascript:."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None
