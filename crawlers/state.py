"""Crawl state: what each council's site looked like last time, kept in the store's SQLite file.

The state is a cache, not a source of truth: deleting these tables costs one full re-crawl, never
data. A page's state row is written in the same transaction as its document (pipelines.py), so a
killed run leaves either both or neither.

- crawl_pages: per canonical URL, the validators (ETag, Last-Modified) and the body last seen, so
  a conditional request answered 304 can still be parsed for the links it holds.
- crawl_files: attachments already downloaded (ModernGov document URLs are stable: `documents/s123`
  names one file for good), so a file is fetched once.
- crawl_failures: requests that failed after retries; the next run asks for them again first.
- crawl_councils: each council's last successful run, the start of its next window, and the
  latest date its decision listings ever listed (a listing that comes back empty over that date
  is a broken site or parser, not a quiet council).
- crawl_gone: pages that answered 404/410 or redirected to the site's error page: recorded once,
  never asked for again.
- crawl_sites: where a council's site moved to (scheme or host, after redirects), keyed by the
  registry's base URL so a registry edit starts afresh.

Listing and web-service answers are keyed by URLs with dated parameters (`DR=`, `sFromDate=`)
that the next night's window will not repeat: `prune_dated` drops those a run did not ask for.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from dataclasses import dataclass
from datetime import date

from index.store import now_iso

SCHEMA = """
CREATE TABLE IF NOT EXISTS crawl_pages (
    url TEXT PRIMARY KEY,
    council TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    sha256 TEXT NOT NULL,
    content_type TEXT,
    body BLOB NOT NULL,
    document_id TEXT,
    fetched_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS crawl_files (
    url TEXT PRIMARY KEY,
    council TEXT NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    content_type TEXT,
    fetched_at TEXT NOT NULL
);
-- Attachments over the size cap (FILES_MAX_BYTES): recorded once, with what the server said of
-- them, and asked for again only conditionally (pipelines.py): a changed file is fetched anew.
CREATE TABLE IF NOT EXISTS crawl_skipped_files (
    url TEXT PRIMARY KEY,
    council TEXT NOT NULL,
    size INTEGER,  -- bytes, when the server said (Content-Length) or the download got that far
    cap INTEGER NOT NULL,
    etag TEXT,
    last_modified TEXT,
    skipped_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS crawl_failures (
    url TEXT PRIMARY KEY,
    council TEXT NOT NULL,
    spider TEXT NOT NULL,
    callback TEXT NOT NULL,
    request_url TEXT NOT NULL,
    meta TEXT NOT NULL DEFAULT '{}',
    error TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 1,
    first_failed TEXT NOT NULL,
    last_failed TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS crawl_failures_council ON crawl_failures(council);
CREATE TABLE IF NOT EXISTS crawl_councils (
    council TEXT PRIMARY KEY,
    last_success TEXT,
    last_run TEXT NOT NULL,
    last_status TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS crawl_listed (
    council TEXT PRIMARY KEY,
    latest TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS crawl_gone (
    url TEXT PRIMARY KEY,
    council TEXT NOT NULL,
    reason TEXT NOT NULL,
    gone_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS crawl_sites (
    council TEXT PRIMARY KEY,
    registry_base TEXT NOT NULL,
    base_url TEXT NOT NULL,
    moved_at TEXT NOT NULL
);
"""
# Canonical URLs (query keys lower-cased, sorted) whose answer depends on a date window.
DATED_URL_PATTERNS = ("%?dr=%", "%&dr=%", "%sfromdate=%")


def ensure_schema(conn: sqlite3.Connection) -> None:
    conn.executescript(SCHEMA)


@dataclass
class CachedPage:
    url: str
    etag: str | None
    last_modified: str | None
    sha256: str
    content_type: str | None
    body: bytes
    document_id: str | None


@dataclass
class HeldFile:
    url: str
    path: str
    sha256: str
    size: int
    content_type: str | None


@dataclass
class SkippedFile:
    url: str
    size: int | None
    cap: int
    etag: str | None
    last_modified: str | None


@dataclass
class Failure:
    url: str
    council: str
    spider: str
    callback: str
    request_url: str
    meta: dict
    error: str
    attempts: int


class CrawlState:
    """Reads and writes the crawl tables through one connection (the Store's, to share transactions)."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        ensure_schema(conn)

    # -- pages -------------------------------------------------------------------------------

    def page(self, url: str) -> CachedPage | None:
        row = self.conn.execute(
            "SELECT url, etag, last_modified, sha256, content_type, body, document_id FROM crawl_pages WHERE url = ?",
            (url,),
        ).fetchone()
        if row is None:
            return None
        return CachedPage(row[0], row[1], row[2], row[3], row[4], zlib.decompress(row[5]), row[6])

    def held(self, url: str) -> bool:
        """A document was stored from this page."""
        row = self.conn.execute("SELECT document_id FROM crawl_pages WHERE url = ?", (url,)).fetchone()
        return bool(row and row[0])

    def save_page(
        self,
        url: str,
        council: str,
        etag: str | None,
        last_modified: str | None,
        sha256: str,
        content_type: str | None,
        body: bytes,
        document_id: str | None = None,
    ) -> None:
        self.conn.execute(
            """INSERT OR REPLACE INTO crawl_pages (url, council, etag, last_modified, sha256, content_type, body,
                   document_id, fetched_at) VALUES (?,?,?,?,?,?,?,?,?)""",
            (
                url,
                council,
                etag,
                last_modified,
                sha256,
                content_type,
                zlib.compress(body),
                document_id,
                now_iso(),
            ),
        )

    def prune_dated(self, councils: list[str], before: str) -> int:
        """Drop these councils' dated listing and web-service answers last fetched before `before`
        (an ISO timestamp): their windows have moved on. How many were dropped."""
        marks = ",".join("?" * len(councils))
        dated = " OR ".join("url LIKE ?" for _ in DATED_URL_PATTERNS)
        return self.conn.execute(
            f"DELETE FROM crawl_pages WHERE council IN ({marks}) AND fetched_at < ? AND ({dated})",
            (*councils, before, *DATED_URL_PATTERNS),
        ).rowcount

    # -- files -------------------------------------------------------------------------------

    def file(self, url: str) -> HeldFile | None:
        row = self.conn.execute(
            "SELECT url, path, sha256, size, content_type FROM crawl_files WHERE url = ?", (url,)
        ).fetchone()
        return HeldFile(*row) if row else None

    def save_file(self, url: str, council: str, f: HeldFile) -> None:
        self.conn.execute(
            """INSERT OR REPLACE INTO crawl_files (url, council, path, sha256, size, content_type, fetched_at)
               VALUES (?,?,?,?,?,?,?)""",
            (url, council, f.path, f.sha256, f.size, f.content_type, now_iso()),
        )

    def skipped_file(self, url: str) -> SkippedFile | None:
        row = self.conn.execute(
            "SELECT url, size, cap, etag, last_modified FROM crawl_skipped_files WHERE url = ?", (url,)
        ).fetchone()
        return SkippedFile(*row) if row else None

    def save_skipped(self, council: str, f: SkippedFile) -> None:
        self.conn.execute(
            """INSERT OR REPLACE INTO crawl_skipped_files (url, council, size, cap, etag, last_modified,
                   skipped_at) VALUES (?,?,?,?,?,?,?)""",
            (f.url, council, f.size, f.cap, f.etag, f.last_modified, now_iso()),
        )

    def clear_skipped(self, url: str) -> None:
        self.conn.execute("DELETE FROM crawl_skipped_files WHERE url = ?", (url,))

    # -- failures ----------------------------------------------------------------------------

    def record_failure(
        self, url: str, council: str, spider: str, callback: str, request_url: str, meta: dict, error: str
    ) -> None:
        stamp = now_iso()
        self.conn.execute(
            """INSERT INTO crawl_failures (url, council, spider, callback, request_url, meta, error, attempts,
                   first_failed, last_failed) VALUES (?,?,?,?,?,?,?,1,?,?)
               ON CONFLICT(url) DO UPDATE SET error=excluded.error, attempts=attempts+1,
                   last_failed=excluded.last_failed, request_url=excluded.request_url, meta=excluded.meta""",
            (
                url,
                council,
                spider,
                callback,
                request_url,
                json.dumps(meta, sort_keys=True),
                error,
                stamp,
                stamp,
            ),
        )

    def clear_failure(self, url: str) -> None:
        self.conn.execute("DELETE FROM crawl_failures WHERE url = ?", (url,))

    def failures(self, council: str | None = None, spider: str | None = None) -> list[Failure]:
        sql = "SELECT url, council, spider, callback, request_url, meta, error, attempts FROM crawl_failures WHERE 1=1"
        args: list = []
        if council:
            sql, args = sql + " AND council = ?", [*args, council]
        if spider:
            sql, args = sql + " AND spider = ?", [*args, spider]
        return [
            Failure(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), r[6], r[7])
            for r in self.conn.execute(sql + " ORDER BY url", args)
        ]

    # -- gone pages, moved sites -------------------------------------------------------------

    def mark_gone(self, url: str, council: str, reason: str) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO crawl_gone (url, council, reason, gone_at) VALUES (?,?,?,?)",
            (url, council, reason, now_iso()),
        )
        self.clear_failure(url)

    def gone(self, url: str) -> str | None:
        """Why this page is gone for good, or None."""
        row = self.conn.execute("SELECT reason FROM crawl_gone WHERE url = ?", (url,)).fetchone()
        return row[0] if row else None

    def record_move(self, council: str, registry_base: str, base_url: str) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO crawl_sites (council, registry_base, base_url, moved_at) VALUES (?,?,?,?)",
            (council, registry_base, base_url, now_iso()),
        )

    def moved_base(self, council: str, registry_base: str) -> str | None:
        """Where the site at `registry_base` moved to, as last seen; None if it has not."""
        row = self.conn.execute(
            "SELECT base_url FROM crawl_sites WHERE council = ? AND registry_base = ?",
            (council, registry_base),
        ).fetchone()
        return row[0] if row else None

    # -- councils ----------------------------------------------------------------------------

    def listed_latest(self, council: str) -> date | None:
        row = self.conn.execute("SELECT latest FROM crawl_listed WHERE council = ?", (council,)).fetchone()
        return date.fromisoformat(row[0]) if row else None

    def record_listed(self, council: str, latest: date) -> None:
        self.conn.execute(
            """INSERT INTO crawl_listed (council, latest) VALUES (?, ?)
               ON CONFLICT(council) DO UPDATE SET latest = max(latest, excluded.latest)""",
            (council, latest.isoformat()),
        )

    def last_success(self, council: str) -> date | None:
        row = self.conn.execute(
            "SELECT last_success FROM crawl_councils WHERE council = ?", (council,)
        ).fetchone()
        return date.fromisoformat(row[0]) if row and row[0] else None

    def finish_council(self, council: str, run_started: date, ok: bool) -> None:
        """Record a run's outcome; only a run that did not fail entirely moves the window on."""
        self.conn.execute(
            """INSERT INTO crawl_councils (council, last_success, last_run, last_status) VALUES (?,?,?,?)
               ON CONFLICT(council) DO UPDATE SET last_run=excluded.last_run, last_status=excluded.last_status,
                   last_success=CASE WHEN ? THEN excluded.last_success ELSE crawl_councils.last_success END""",
            (council, run_started.isoformat() if ok else None, now_iso(), "ok" if ok else "failed", ok),
        )
