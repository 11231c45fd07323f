"""Saved searches: each update reports the documents that newly match, and writes an Atom feed.

A watch remembers every record it has matched. A match is "new" the first time it is seen, so a
record that is edited, or drops out of the results and comes back, never alerts twice. Records that
already match when the watch is added are remembered as its baseline, not alerted: subscribers
want what is new, not the back catalogue.
"""

from __future__ import annotations

import html
import json
import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from index.documents import title_of
from index.store import Store, now_iso
from papers import atom
from papers.errors import UserError
from papers.pipeline.runs import ensure_schema as ensure_runs_schema
from papers.settings import Settings

SCHEMA = """
CREATE TABLE IF NOT EXISTS watches (
    name TEXT PRIMARY KEY,
    query TEXT NOT NULL,
    created_at TEXT NOT NULL,
    checked_at TEXT
);
-- run_id NULL: already matching when the watch was added (baseline, never alerted).
CREATE TABLE IF NOT EXISTS watch_matches (
    watch TEXT NOT NULL REFERENCES watches(name) ON DELETE CASCADE,
    record_id TEXT NOT NULL,
    run_id INTEGER,
    matched_at TEXT NOT NULL,
    title TEXT,
    council TEXT,
    url TEXT,
    decision_date TEXT,
    snippet TEXT,
    PRIMARY KEY (watch, record_id)
);
"""

# Names become feed file names, so they stay plain.
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
PAGE = 500  # ranked hits whose highlighted snippets new alerts may use
SNIPPET_CHARS = 240  # of plain text, for an alert outside those
FEED_ENTRIES = 100  # most recent alerts kept in a feed


@dataclass
class Watch:
    name: str
    query: str
    created_at: str
    checked_at: str | None = None

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def ensure_schema(conn: sqlite3.Connection) -> None:
    conn.executescript(SCHEMA)


def feed_path(settings: Settings, name: str) -> Path:
    return settings.feeds_dir / f"{name}.atom"


class Watches:
    """The watches and watch_matches tables, and the searches that fill them."""

    def __init__(self, settings: Settings, store: Store, backend: str = "tantivy"):
        self.settings = settings
        self.store = store
        self.conn = store.conn
        self.backend = backend
        ensure_schema(self.conn)
        ensure_runs_schema(self.conn)  # alerts name their run (see _adopt)

    def add(self, name: str, query: str) -> tuple[Watch, int]:
        """Save a search (query checked first); returns it and the size of its baseline."""
        from index.query import parse  # raises QueryError (exit 2) on a malformed query

        if not NAME_RE.match(name):
            raise UserError(f"bad watch name {name!r}: use letters, digits, '.', '_' or '-' (at most 64)")
        parse(query)
        if self.get(name):
            raise UserError(f"a watch named {name!r} exists; remove it first to change its query")
        watch = Watch(name, query, now_iso())
        baseline = [{"id": i} for i in self._matching_ids(watch)] if self._index_has_records() else []
        stamp = now_iso()
        with self.store.transaction():
            self.conn.execute(
                "INSERT INTO watches (name, query, created_at, checked_at) VALUES (?,?,?,?)",
                (name, query, watch.created_at, stamp if baseline else None),
            )
            self._remember(watch, baseline, run_id=None, stamp=stamp)
        return watch, len(baseline)

    def remove(self, name: str) -> None:
        if not self.get(name):
            raise UserError(f"no watch named {name!r} (see `papers watch list`)")
        with self.store.transaction():
            self.conn.execute("DELETE FROM watch_matches WHERE watch = ?", (name,))
            self.conn.execute("DELETE FROM watches WHERE name = ?", (name,))
        feed_path(self.settings, name).unlink(missing_ok=True)

    def get(self, name: str) -> Watch | None:
        row = self.conn.execute("SELECT * FROM watches WHERE name = ?", (name,)).fetchone()
        return Watch(**dict(row)) if row else None

    def list(self) -> list[Watch]:
        return [Watch(**dict(r)) for r in self.conn.execute("SELECT * FROM watches ORDER BY name")]

    def check(self, watch: Watch, run_id: int) -> list[dict]:
        """Search once, remember and return the hits never seen before, and rewrite the feed.

        Alerts a killed run recorded (its summary, which would have listed them, was never written)
        are returned too, and recorded with this run."""
        known = {
            row[0]
            for row in self.conn.execute("SELECT record_id FROM watch_matches WHERE watch = ?", (watch.name,))
        }
        hits = self._hits(watch, [i for i in self._matching_ids(watch) if i not in known])
        stamp = now_iso()
        with self.store.transaction():
            orphaned = self._adopt(watch, run_id)
            new = self._remember(watch, hits, run_id=run_id, stamp=stamp)
            self.conn.execute("UPDATE watches SET checked_at = ? WHERE name = ?", (stamp, watch.name))
        write_feed(feed_path(self.settings, watch.name), watch, self.alerts(watch.name), stamp)
        return orphaned + new

    def alerts(self, name: str, limit: int = FEED_ENTRIES) -> list[dict]:
        """The most recent alerted matches (baseline excluded), newest first."""
        rows = self.conn.execute(
            """SELECT record_id AS id, run_id, matched_at, title, council, url, decision_date, snippet
               FROM watch_matches WHERE watch = ? AND run_id IS NOT NULL
               ORDER BY matched_at DESC, record_id LIMIT ?""",
            (name, limit),
        )
        return [dict(r) for r in rows]

    def _matching_ids(self, watch: Watch) -> list[str]:
        """Every record the watch's query matches, in id order. The engine hands over all matching
        keys at once: no paging, so no offset ceiling however broad the watch."""
        from index.query import parse
        from index.service import backend_for

        keys = backend_for(self.settings, self.backend).keys(parse(watch.query))
        rows = self.conn.execute(
            "SELECT id FROM records WHERE key IN (SELECT value FROM json_each(?)) ORDER BY id",
            (json.dumps(list(keys)),),
        )
        return [row[0] for row in rows]

    def _hits(self, watch: Watch, ids: list[str]) -> list[dict]:
        """Alert fields for these records: highlighted snippets where the first page of ranked
        hits has them, else the opening of the text."""
        from index.service import search

        if not ids:
            return []
        ranked = {
            h["id"]: h
            for h in search(self.settings, watch.query, limit=PAGE, backend=self.backend, facets=False)[
                "hits"
            ]
        }
        hits = []
        for record in self.store.records("r.id IN (SELECT value FROM json_each(?))", (json.dumps(ids),)):
            hit = ranked.get(record.id) or {
                "id": record.id,
                "title": title_of(record),
                "council": record.council,
                "url": record.url,
                "decision_date": record.decision_date,
                "snippet": html.escape(" ".join(record.text.split())[:SNIPPET_CHARS]),
            }
            hits.append(hit)
        return hits

    def _adopt(self, watch: Watch, run_id: int) -> list[dict]:
        """Give this run the alerts of runs that were killed before their summary was written."""
        where = "watch = ? AND run_id IN (SELECT id FROM runs WHERE status = 'killed')"
        rows = self.conn.execute(
            f"SELECT record_id AS id, title, council, url, decision_date, snippet FROM watch_matches WHERE {where} "
            "ORDER BY record_id",
            (watch.name,),
        ).fetchall()
        self.conn.execute(f"UPDATE watch_matches SET run_id = ? WHERE {where}", (run_id, watch.name))
        return [dict(r) for r in rows]

    def _index_has_records(self) -> bool:
        from index.service import backend_for

        return backend_for(self.settings, self.backend).count() > 0

    def _remember(self, watch: Watch, hits: list[dict], run_id: int | None, stamp: str) -> list[dict]:
        new = []
        for hit in hits:
            cur = self.conn.execute(
                """INSERT OR IGNORE INTO watch_matches (watch, record_id, run_id, matched_at, title,
                       council, url, decision_date, snippet) VALUES (?,?,?,?,?,?,?,?,?)""",
                (
                    watch.name,
                    hit["id"],
                    run_id,
                    stamp,
                    hit.get("title"),
                    hit.get("council"),
                    hit.get("url"),
                    hit.get("decision_date"),
                    hit.get("snippet"),
                ),
            )
            if cur.rowcount:
                new.append(hit)
        return new


def write_feed(path: Path, watch: Watch, alerts: list[dict], updated: str) -> None:
    """Write an Atom 1.0 feed of a watch's alerts, atomically (readers never see half a file)."""
    entries = [
        atom.Entry(
            id=f"urn:committee-papers:record:{a['id']}",
            title=a.get("title") or a["id"],
            updated=a["matched_at"],
            links=[atom.Link(a["url"])] if a.get("url") else [],
            categories=[atom.Category(a["council"])] if a.get("council") else [],
            summary=a.get("snippet") or None,
            summary_type="html",  # search snippets: escaped text with <b> highlights
        )
        for a in alerts
    ]
    body = atom.feed(
        title=f"committee-papers: {watch.name}",
        id=f"urn:committee-papers:watch:{watch.name}",
        updated=alerts[0]["matched_at"] if alerts else updated,
        entries=entries,
        subtitle=f"New council papers matching: {watch.query}",
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".atom.tmp")
    tmp.write_bytes(body)
    os.replace(tmp, path)
