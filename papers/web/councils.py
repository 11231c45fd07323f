"""Coverage per council: what the store holds and how the crawls went, for the Councils page and API.

Read-only SQL over the store's tables, the update job's run tables (papers/pipeline/runs.py) and
the crawler's state (crawlers/state.py).
Tables owned by other stages may not exist yet in a young data directory, so each is looked for
before it is read.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import asdict, dataclass, field

from crawlers.registry import RegistryError, load_registry
from index import service
from papers.errors import UserError
from papers.settings import Settings
from papers.web.reader import Reader
from papers.web.urls import filter_token, search_url

log = logging.getLogger(__name__)


@dataclass
class Coverage:
    id: str
    name: str
    documents: int = 0
    records: int = 0
    problems: int = 0  # records whose extraction status is not "ok"
    contracts: int = 0  # records that decide a contract (a value, a term or a procurement method)
    newest_decision: str | None = None
    last_success: str | None = None  # the last crawl that did not fail (crawl state, else the runs)
    failures: int | None = None  # failed items in the council's latest crawl; None: never crawled
    awaiting_retry: int = 0  # failed requests the next crawl asks for again (crawlers/state.py)
    flags: list[dict] = field(default_factory=list)  # health flags from the latest run

    @property
    def href(self) -> str:
        return search_url(filter_token("council", self.id.lower()))

    def to_dict(self) -> dict:
        return asdict(self)


@functools.lru_cache(maxsize=1)
def registry_names() -> dict[str, str]:
    """Council id -> name from the registry, by the id as indexed (lower case) and as the
    registry spells it (what search facets and contract groups carry)."""
    try:
        return {key: c.name for c in load_registry() for key in (c.id.lower(), c.id)}
    except (OSError, RegistryError) as exc:  # the site still works with bare ids
        log.warning("council registry unavailable: %s", exc)
        return {}


def stored_names(reader: Reader) -> dict[str, str]:
    """Council id (lower case) -> the name its records give (one record read per council)."""
    return {
        (r["council"] or "").lower(): r["name"]
        for r in reader.rows(
            """SELECT council, json_extract(json, '$.council_name') AS name FROM records
               WHERE rowid IN (SELECT min(rowid) FROM records GROUP BY council)"""
        )
        if r["council"] and r["name"]
    }


def coverage(reader: Reader, contracts_per_council: dict[str, int] | None = None) -> list[Coverage]:
    """One row per council the store knows, sorted by name."""
    names = registry_names() | stored_names(reader)
    rows: dict[str, Coverage] = {}

    def row(council: str | None) -> Coverage:
        key = (council or "unknown").lower()
        if key not in rows:
            rows[key] = Coverage(id=council or "unknown", name=names.get(key, council or "unknown"))
        return rows[key]

    for r in reader.rows("SELECT council, count(*) AS n FROM documents GROUP BY council"):
        row(r["council"]).documents = r["n"]
    for r in reader.rows(
        """SELECT council, count(*) AS n, sum(status != 'ok') AS problems,
                  max(CASE WHEN length(decision_date) = 10 THEN decision_date END) AS newest
           FROM records GROUP BY council"""
    ):
        c = row(r["council"])
        c.records, c.problems, c.newest_decision = r["n"], r["problems"] or 0, r["newest"]
    for key, n in (contracts_per_council or {}).items():
        row(key).contracts = n
    if reader.table_exists("run_stages") and reader.table_exists("runs"):
        _runs(reader, row)
    if reader.table_exists("crawl_councils"):
        for r in reader.rows(
            "SELECT council, last_success FROM crawl_councils WHERE last_success IS NOT NULL"
        ):
            row(r["council"]).last_success = r["last_success"]
    if reader.table_exists("crawl_failures"):
        for r in reader.rows("SELECT council, count(*) AS n FROM crawl_failures GROUP BY council"):
            row(r["council"]).awaiting_retry = r["n"]
    return sorted(rows.values(), key=lambda c: c.name.lower())


def _runs(reader: Reader, row) -> None:
    """Last successful crawl, latest failures and health flags from the update job's runs."""
    for r in reader.rows(
        """SELECT s.council, max(r.finished_at) AS at FROM run_stages s JOIN runs r ON r.id = s.run_id
           WHERE s.stage = 'crawl' AND s.failed = 0 AND r.finished_at IS NOT NULL
             AND r.status IN ('ok', 'partial') AND s.council != '*'
           GROUP BY s.council"""
    ):
        row(r["council"]).last_success = r["at"]
    latest = reader.rows(
        """SELECT s.council, s.run_id, s.failed FROM run_stages s
           WHERE s.stage = 'crawl' AND s.council != '*' AND s.run_id =
                 (SELECT max(run_id) FROM run_stages WHERE council = s.council AND stage = 'crawl')"""
    )
    for r in latest:
        row(r["council"]).failures = r["failed"]
    if reader.table_exists("run_flags"):
        for r in latest:
            flags = reader.rows(
                "SELECT flag, message FROM run_flags WHERE run_id = ? AND council = ?",
                (r["run_id"], r["council"]),
            )
            row(r["council"]).flags = [dict(f) for f in flags]


def contracts_per_council(settings: Settings) -> dict[str, int]:
    """Contract decisions per council, from the index (empty while there is no index)."""
    try:
        groups = service.contracts(settings, None, group_by="council")["groups"]
    except UserError:
        return {}
    return {g["group"]: g["count"] for g in groups}


def has_runs(reader: Reader) -> bool:
    return reader.table_exists("runs") and bool(reader.rows("SELECT 1 FROM runs LIMIT 1"))
