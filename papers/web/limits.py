"""What one request may ask of the server, and the ASGI guard that enforces it before any route runs.

The site is read-only and public-facing by design (a researcher may expose it on a LAN), so every
request is bounded: only GET/HEAD, a short URL, a short query, and capped page sizes. The caps are
what keeps one careless script from holding a worker for seconds.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

MAX_QUERY_CHARS = 500  # one search box; the longest real query seen is ~120 characters
# Hits per API call: a public server answers less per request than index.service.MAX_SEARCH_LIMIT
# lets the CLI ask for. The offset cap is the service's own (MAX_SEARCH_OFFSET), not restated here.
MAX_API_LIMIT = 100
MAX_URL_BYTES = 4096  # path + query string
MAX_ID_CHARS = 512  # record ids are council:page_type:platform-id[/sha12]
MAX_CONTRACT_ROWS = 2_000  # contracts table rows shown (and downloaded: the same rows)
FEED_ENTRIES = 50
PAGE_SIZE = 10  # hits per search page: each costs a highlighted snippet (bench_web)

# A browser renders what it is served, so say exactly what it may load: nothing from elsewhere.
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; "
        b"form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


class LimitsMiddleware:
    """Refuses anything but small GET/HEAD requests and adds the security headers to every answer."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(scope)
        if refusal:
            await _plain(send, *refusal)
            return

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + SECURITY_HEADERS
            await send(message)

        await self.app(scope, receive, send_with_headers)

    @staticmethod
    def _refusal(scope: Scope) -> tuple[int, str, list[tuple[bytes, bytes]]] | None:
        if scope["method"] not in ("GET", "HEAD"):
            return 405, "read-only: only GET and HEAD are allowed", [(b"allow", b"GET, HEAD")]
        if len(scope.get("raw_path") or scope["path"].encode()) + len(scope["query_string"]) > MAX_URL_BYTES:
            return 414, f"URL longer than {MAX_URL_BYTES} bytes", []
        for name, value in scope["headers"]:
            if name == b"content-length" and value not in (b"0", b""):
                return 413, "request bodies are not accepted", []
            if name == b"transfer-encoding":
                return 413, "request bodies are not accepted", []
        return None


async def _plain(send: Send, status: int, text: str, headers: list[tuple[bytes, bytes]]) -> None:
    body = (text + "\n").encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ]
            + headers
            + SECURITY_HEADERS,
        }
    )
    await send({"type": "http.response.body", "body": body})
