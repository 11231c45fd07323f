"""Bounds on what years of nightly runs leave behind, so the data directory stays flat.

- The WAL file: SQLite grows it while a reader (`papers serve`) holds a snapshot, and never gives
  the space back by itself. Store sets journal_size_limit, and each job ends with a checkpoint
  that truncates it once no reader needs the old pages.
- Runs (with their stage rows and flags) and crawl failures older than the retention setting
  (`PAPERS_RETENTION_DAYS`), keeping the last KEEP_RUNS runs whatever their age: crawl health
  compares a council's latest runs.
- `crawl-*` folders a killed crawl left in the data directory (the run lock is held: no crawl
  running now can own one).
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

log = logging.getLogger(__name__)

KEEP_RUNS = 30
ISO = "%Y-%m-%dT%H:%M:%SZ"


def prune(conn: sqlite3.Connection, retention_days: int, now: datetime | None = None) -> dict[str, int]:
    """Delete runs and crawl failures older than ``retention_days``; how many of each went."""
    cutoff = ((now or datetime.now(timezone.utc)) - timedelta(days=retention_days)).strftime(ISO)
    gone = {"runs": 0, "crawl_failures": 0}
    conn.execute("BEGIN IMMEDIATE")
    try:
        gone["runs"] = conn.execute(
            """DELETE FROM runs WHERE started_at < ? AND status != 'running'
                   AND id NOT IN (SELECT id FROM runs ORDER BY id DESC LIMIT ?)""",
            (cutoff, KEEP_RUNS),
        ).rowcount
        if _has_table(conn, "crawl_failures"):  # a URL failing for longer is given up on
            gone["crawl_failures"] = conn.execute(
                "DELETE FROM crawl_failures WHERE first_failed < ?", (cutoff,)
            ).rowcount
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    if any(gone.values()):
        log.info(
            "retention (%d days): removed %s", retention_days, ", ".join(f"{n} {k}" for k, n in gone.items())
        )
    return gone


def remove_crawl_leftovers(data_dir: Path) -> int:
    """Remove the temporary folders of crawls that were killed; call only holding the run lock."""
    leftovers = [p for p in Path(data_dir).glob("crawl-*") if p.is_dir()]
    for path in leftovers:
        shutil.rmtree(path, ignore_errors=True)
    if leftovers:
        log.info("removed %d temporary folders left by killed crawls", len(leftovers))
    return len(leftovers)


def checkpoint(conn: sqlite3.Connection) -> bool:
    """Copy the WAL into the database and truncate it; False when a reader kept it busy (the next
    job's checkpoint catches up)."""
    busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    return not busy


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return (
        conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone()
        is not None
    )
