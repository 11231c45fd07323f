"""Every run, kept in the store: per council and stage, what was new, changed, unchanged, failed.

A run row is written when the run starts and each stage row as soon as the stage ends, each in its
own transaction, so a killed run still shows how far it got; the next run marks it "killed".
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field

from crawlers.summary import COUNTS
from index.store import now_iso

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL, -- running; then ok, partial, failed or interrupted; killed if left running
    exit_code INTEGER,
    options TEXT NOT NULL DEFAULT '{}',
    summary TEXT
);
-- council '*' holds a stage that runs across councils (e.g. one index commit).
CREATE TABLE IF NOT EXISTS run_stages (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    council TEXT NOT NULL,
    stage TEXT NOT NULL,
    new INTEGER NOT NULL DEFAULT 0,
    changed INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    seconds REAL NOT NULL DEFAULT 0,
    answered INTEGER, -- crawl: requests the site answered (2xx or 304); NULL where not counted
    PRIMARY KEY (run_id, council, stage)
);
CREATE TABLE IF NOT EXISTS run_flags (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    council TEXT NOT NULL,
    flag TEXT NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (run_id, council, flag)
);
"""

# One counts vocabulary for every stage: the crawl's (new, changed, unchanged, failed).
COUNT_KEYS = COUNTS


def ensure_schema(conn: sqlite3.Connection) -> None:
    conn.executescript(SCHEMA)
    if "answered" not in {row[1] for row in conn.execute("PRAGMA table_info(run_stages)")}:
        conn.execute("ALTER TABLE run_stages ADD COLUMN answered INTEGER")  # a store from before it


@dataclass
class StageRow:
    council: str
    stage: str
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: int = 0
    seconds: float = 0.0
    answered: int | None = None  # crawl: requests answered (2xx/304); None in rows from before

    @property
    def items(self) -> int:
        """What the source returned: everything but failures."""
        return self.new + self.changed + self.unchanged

    @property
    def heard_from(self) -> bool:
        """The council's site answered something or yielded a page, even an unchanged one."""
        return bool(self.answered or self.items)


@dataclass
class Run:
    id: int
    kind: str
    started_at: str
    finished_at: str | None
    status: str
    exit_code: int | None
    options: dict
    summary: dict | None
    stages: list[StageRow] = field(default_factory=list)
    flags: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        d = dict(self.__dict__)
        d["stages"] = [s.__dict__ for s in self.stages]
        return d


class Runs:
    """The runs, run_stages and run_flags tables."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        ensure_schema(conn)

    def start(self, kind: str, options: dict) -> int:
        cur = self.conn.execute(
            "INSERT INTO runs (kind, started_at, status, options) VALUES (?, ?, 'running', ?)",
            (kind, now_iso(), json.dumps(options, sort_keys=True, default=str)),
        )
        return int(cur.lastrowid)

    def close_abandoned(self) -> int:
        """Mark runs left "running" by a killed process; call only while holding the run lock."""
        cur = self.conn.execute(
            "UPDATE runs SET status = 'killed' WHERE status = 'running' AND finished_at IS NULL"
        )
        return cur.rowcount

    def stage(
        self, run_id: int, council: str, stage: str, counts: dict, seconds: float, answered: int | None = None
    ) -> None:
        values = [int(counts.get(k) or 0) for k in COUNT_KEYS]
        self.conn.execute(
            """INSERT OR REPLACE INTO run_stages (run_id, council, stage, new, changed, unchanged,
                   failed, seconds, answered) VALUES (?,?,?,?,?,?,?,?,?)""",
            (run_id, council, stage, *values, round(seconds, 3), answered),
        )

    def flag(self, run_id: int, council: str, flag: str, message: str) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO run_flags (run_id, council, flag, message) VALUES (?,?,?,?)",
            (run_id, council, flag, message),
        )

    def finish(self, run_id: int, status: str, exit_code: int, summary: dict) -> None:
        self.conn.execute(
            "UPDATE runs SET status = ?, exit_code = ?, finished_at = ?, summary = ? WHERE id = ?",
            (status, exit_code, now_iso(), json.dumps(summary, sort_keys=True, default=str), run_id),
        )

    def get(self, run_id: int) -> Run | None:
        row = self.conn.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        return self._run(row) if row else None

    def recent(self, limit: int = 10) -> list[Run]:
        rows = self.conn.execute("SELECT * FROM runs ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [self._run(r) for r in rows]

    def crawl_history(self, council: str, before_run: int, limit: int) -> list[StageRow]:
        """This council's crawl stage in the last finished runs before ``before_run``, newest first."""
        rows = self.conn.execute(
            """SELECT s.* FROM run_stages s JOIN runs r ON r.id = s.run_id
               WHERE s.council = ? AND s.stage = 'crawl' AND s.run_id < ?
                 AND r.status IN ('ok', 'partial')
               ORDER BY s.run_id DESC LIMIT ?""",
            (council, before_run, limit),
        ).fetchall()
        return [_stage(r) for r in rows]

    def _run(self, row: sqlite3.Row) -> Run:
        stages = self.conn.execute(
            "SELECT * FROM run_stages WHERE run_id = ? ORDER BY council = '*', council, "
            "CASE stage WHEN 'crawl' THEN 0 WHEN 'extract' THEN 1 WHEN 'index' THEN 2 ELSE 3 END",
            (row["id"],),
        ).fetchall()
        flags = self.conn.execute(
            "SELECT council, flag, message FROM run_flags WHERE run_id = ? ORDER BY council, flag",
            (row["id"],),
        ).fetchall()
        return Run(
            **{
                **dict(row),
                "options": json.loads(row["options"]),
                "summary": None if row["summary"] is None else json.loads(row["summary"]),
            },
            stages=[_stage(s) for s in stages],
            flags=[dict(f) for f in flags],
        )


def _stage(row: sqlite3.Row) -> StageRow:
    return StageRow(**{k: row[k] for k in StageRow.__dataclass_fields__})
