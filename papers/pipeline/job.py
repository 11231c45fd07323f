"""`papers update` and `papers reextract`: crawl -> extract -> store -> index as one crash-safe job.

Why it survives being killed anywhere: every step commits to the store before the next step reads
it, and each step's work list is a query on the store, not something held in memory.
- the crawler commits each page (with its attachments) in one transaction;
- extraction takes the documents whose source hash differs from the one their records were made
  from (papers/pipeline/pending.py) and writes a document's records, the deletion of its stale
  records and its new source hash in one transaction;
- indexing sends the store's index queue (records without a current index mark) and marks records
  indexed only after the index has committed them; deletions have a queue of their own.
So a run killed at any point leaves work that is either done or still queued, and the next run
finishes it; the index is a cache the store can always rebuild (`papers index --rebuild`).
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import sqlite3
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from crawlers.registry import find_council
from index.store import Store
from papers.errors import EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, UserError
from papers.pipeline import health, pending, retention
from papers.pipeline.lock import RunLock
from papers.pipeline.runs import COUNT_KEYS, Runs, StageRow
from papers.pipeline.watches import Watches, feed_path
from papers.schema import Document, Record
from papers.settings import Settings

log = logging.getLogger(__name__)

# Extraction statuses that are not failures: an empty page is a fact, OCR a success.
OK_STATUSES = frozenset({"ok", "empty", "ocr"})


def zero() -> dict[str, int]:
    return dict.fromkeys(COUNT_KEYS, 0)


def no_crawl() -> dict:
    """The top-level keys of a crawl summary (crawlers/run.py), for a crawl that crashed."""
    return {
        "councils": {},
        "totals": zero(),
        "new_ids": [],
        "changed_ids": [],
        "failed_councils": [],
        "run_started": date.today().isoformat(),
    }


class UpdateJob:
    """One run over one data directory; ``update()`` or ``reextract()`` returns the run summary."""

    def __init__(self, settings: Settings, backend: str = "tantivy"):
        self.settings = settings
        self.backend = backend
        self.run_id = 0  # set when the run starts

    # -- the two jobs ----------------------------------------------------------------------

    def update(
        self, councils: list[str] | None = None, since: str | None = None, snapshot: bool = False
    ) -> dict:
        """Crawl (incrementally), extract what is new or changed, store, index, check watches."""
        from crawlers.registry import get_council

        for council in councils or ():
            get_council(council)  # a typo is a usage error before any run starts, not a failed run
        options = {"councils": councils, "since": since, "snapshot": snapshot, "backend": self.backend}
        with self._run("update", options) as (store, runs, summary):
            crawl_rows = self._crawl(runs, summary, councils, since, snapshot)
            self._extract(store, runs, summary)
            self._index(store, runs, summary)
            self._watches(store, summary)
            self._health(runs, summary, crawl_rows)
            outdated = store.conn.execute(
                "SELECT count(*) FROM records WHERE extractor_version IS NOT ?", (self._version(),)
            ).fetchone()[0]
            if outdated:
                summary["outdated_records"] = outdated
                log.info(
                    "%d records were made by an older extractor; `papers reextract` refreshes them", outdated
                )
        return summary

    def crawl(
        self, councils: list[str] | None = None, since: str | None = None, snapshot: bool = False
    ) -> dict:
        """Crawl only (`papers crawl`), recorded as a run with its health flags, so `papers runs`
        shows a crawl's faults as it shows an update's."""
        from crawlers.registry import get_council

        for council in councils or ():
            get_council(council)
        options = {"councils": councils, "since": since, "snapshot": snapshot}
        with self._run("crawl", options) as (_store, runs, summary):
            crawl_rows = self._crawl(runs, summary, councils, since, snapshot)
            self._health(runs, summary, crawl_rows)
        return summary

    def reextract(self, councils: list[str] | None = None, everything: bool = False) -> dict:
        """Re-extract stored documents whose records an older extractor made; no crawling."""
        options = {"councils": councils, "all": everything, "backend": self.backend}
        with self._run("reextract", options) as (store, runs, summary):
            with store.transaction() as conn:
                queued, orphans = pending.queue_reextraction(conn, self._version(), councils, everything)
            summary["reextract"] = {"documents": queued, "records_without_document": orphans}
            if orphans:
                log.warning(
                    "%d records have no stored document (loaded from files): re-run `papers extract` "
                    "and `papers index` on their sources",
                    orphans,
                )
            self._extract(store, runs, summary)
            self._index(store, runs, summary)
            self._watches(store, summary)
        return summary

    # -- run bookkeeping -------------------------------------------------------------------

    @contextmanager
    def _run(self, kind: str, options: dict) -> Iterator[tuple[Store, Runs, dict]]:
        if self.backend == "elasticsearch" and not self.settings.elasticsearch_url:
            raise UserError("--backend elasticsearch needs ELASTICSEARCH_URL (e.g. http://localhost:9200)")
        self.settings.ensure()
        with RunLock(self.settings.data_dir, kind), Store(self.settings.db_path) as store, _sigterm_exits():
            pending.ensure_schema(store.conn)
            runs = Runs(store.conn)
            if killed := runs.close_abandoned():
                log.warning(
                    "%d earlier run(s) were killed before finishing; this run completes their work", killed
                )
            retention.remove_crawl_leftovers(self.settings.data_dir)
            run_id = self.run_id = runs.start(kind, options)
            summary: dict = {
                "run_id": run_id,
                "kind": kind,
                "backend": self.backend,
                "councils": {},
                "totals": zero(),
                "stages": {},
                "watches": {},
                "health": [],
                "errors": [],
            }
            started = time.monotonic()
            try:
                yield store, runs, summary
            except BaseException as exc:
                status = "interrupted" if isinstance(exc, (KeyboardInterrupt, SystemExit)) else "failed"
                summary["errors"].append(f"{status}: {exc}")
                code = exc.exit_code if isinstance(exc, UserError) else EXIT_PARTIAL
                try:
                    runs.finish(run_id, status, code, summary)
                except sqlite3.Error as bookkeeping:  # e.g. the disk is full: the next run says "killed"
                    log.error("could not record the end of run %d: %s", run_id, bookkeeping)
                raise
            summary["retention"] = retention.prune(store.conn, self.settings.retention_days)
            summary["seconds"] = round(time.monotonic() - started, 3)
            # Exit 1 when the job could not do its job: a council answered nothing, a stage broke (a
            # full disk, a down cluster) or a council's crawl looks broken. A dead link or a broken
            # PDF on a council's site is reported in the counts and retried, as `papers crawl` does.
            failed = bool(summary["errors"] or summary["health"] or summary.get("failed_councils"))
            summary["status"] = "partial" if failed else "ok"
            summary["exit_code"] = EXIT_PARTIAL if failed else EXIT_OK
            runs.finish(run_id, summary["status"], summary["exit_code"], summary)
            if not retention.checkpoint(store.conn):
                log.info("a reader kept the WAL busy; the next run's checkpoint truncates it")
            stages = summary["stages"]
            log.info(
                "run %d %s in %.1f s: crawl %s; extracted %d documents; sent %d records to %s",
                run_id,
                summary["status"],
                summary["seconds"],
                ", ".join(f"{k} {v}" for k, v in summary["totals"].items()),
                stages.get("extract", {}).get("documents", 0),
                stages.get("index", {}).get("totals", {}).get("new", 0),
                self.backend,
                extra={"run_id": run_id},
            )

    def _version(self) -> str:
        from extract import EXTRACTOR_VERSION

        return EXTRACTOR_VERSION

    # -- stages ----------------------------------------------------------------------------

    def _crawl(self, runs: Runs, summary: dict, councils, since, snapshot) -> list[StageRow]:
        from crawlers.run import crawl

        started = time.monotonic()
        try:
            result = crawl(self.settings, councils=councils, since=since, snapshot=snapshot)
        except Exception as exc:  # the worker died or crashed: the pages it stored are still used
            if isinstance(exc, UserError) and exc.exit_code == EXIT_USAGE:
                raise  # an unknown council, a bad date: nothing to run
            log.error("crawl failed: %s", exc, exc_info=not isinstance(exc, UserError))
            summary["errors"].append(f"crawl: {exc}")
            result = no_crawl()
        seconds = time.monotonic() - started
        # `papers update --json` has the shape of `papers crawl --json` (issue 8): its keys on top.
        top = no_crawl()
        summary.update({key: result.get(key) or default for key, default in top.items()})
        extra = {k: v for k, v in result.items() if k not in top}
        summary["stages"]["crawl"] = {"totals": summary["totals"], "seconds": round(seconds, 3), **extra}
        councils = summary["councils"]
        counts = {c: {k: int(row.get(k) or 0) for k in COUNT_KEYS} for c, row in councils.items()}
        # How each site answered, which health judges by: a quiet night still answers (304s).
        answered = {c: int((row.get("requests") or {}).get("answered") or 0) for c, row in councils.items()}
        per_council_seconds = {c: float(row.get("seconds") or 0.0) for c, row in councils.items()}
        self._record_stage(runs, "crawl", counts, per_council_seconds, seconds, answered)
        return [
            StageRow(council, "crawl", **c, seconds=per_council_seconds[council], answered=answered[council])
            for council, c in counts.items()
        ]

    def _extract(self, store: Store, runs: Runs, summary: dict) -> None:
        started = time.monotonic()
        version = self._version()
        with store.transaction() as conn:
            crashed = pending.note_crashes(conn)
        for doc_id, held in crashed:
            log.error("%s: %s%s", doc_id, pending.CRASHED, "; quarantined" if held else "; retried last")
        queue, waiting = self._extract_queue(store)
        counts: dict[str, Counter] = defaultdict(Counter)
        seconds: dict[str, float] = defaultdict(float)
        newly_held = [{"id": d, "reason": pending.CRASHED} for d, held in crashed if held]
        if queue:
            log.info("extracting %d new or changed documents", len(queue), extra={"stage": "extract"})
        for n, (doc_id, source_sha, suspect) in enumerate(queue, 1):
            doc = store.get_document(doc_id)
            if doc is None:
                continue
            t = time.monotonic()
            with store.transaction() as conn:  # committed first: a crash inside is known next run
                pending.begin_attempt(conn, doc_id, source_sha)
            try:
                records = name_council(self._extract_one(doc, suspect), doc.council)
            except Exception as exc:  # the contract says never; a crashed worker does
                log.exception("extraction of %s failed: %s", doc_id, exc, extra={"stage": "extract"})
                counts[doc.council]["failed"] += 1
                with store.transaction() as conn:
                    if pending.end_attempt(conn, doc_id, source_sha, f"extraction failed: {exc}"):
                        newly_held.append({"id": doc_id, "reason": f"extraction failed: {exc}"})
                continue
            except BaseException:  # SIGTERM or ^C: not the document's fault
                with store.transaction() as conn:
                    pending.abandon_attempt(conn, doc_id)
                raise
            try:
                stored, held = self._store_records(store, doc_id, source_sha, version, records)
            except (sqlite3.OperationalError, OSError) as exc:  # disk full, I/O error: stop, keep the rest
                left = len(queue) - n + 1
                log.error(
                    "cannot store records of %s: %s; stopping extraction, %d documents left for the next run",
                    doc_id,
                    exc,
                    left,
                    extra={"stage": "extract"},
                )
                summary["errors"].append(f"extract: {exc} ({left} documents left for the next run)")
                counts[doc.council]["failed"] += 1
                break
            if held:
                newly_held.append({"id": doc_id, "reason": held})
            counts[doc.council].update(stored)
            bad = [r for r in records if r.status not in OK_STATUSES]
            counts[doc.council]["failed"] += len(bad)
            for r in bad:
                log.warning(
                    "%s: %s (%s)",
                    r.id,
                    r.status,
                    r.status_detail or "no detail",
                    extra={"stage": "extract", "council": doc.council},
                )
            seconds[doc.council] += time.monotonic() - t
            if n % 100 == 0:
                log.info("extracted %d/%d documents", n, len(queue), extra={"stage": "extract"})
        for item in newly_held:
            log.warning(
                "QUARANTINED %s after %d failed attempts: %s; it is tried again when its source changes",
                item["id"],
                pending.MAX_ATTEMPTS,
                item["reason"],
                extra={"stage": "extract"},
            )
        per_council = {c: {k: counts[c][k] for k in COUNT_KEYS} for c in sorted(counts)}
        elapsed = time.monotonic() - started
        totals = self._record_stage(runs, "extract", per_council, seconds, elapsed)
        summary["stages"]["extract"] = {
            "documents": len(queue),
            "waiting": waiting,
            "councils": per_council,
            "totals": totals,
            "seconds": round(elapsed, 3),
            "quarantined": newly_held,
            "quarantined_in_store": len(pending.quarantined(store.conn)),
        }

    @staticmethod
    def _extract_queue(store: Store) -> tuple[list[tuple[str, str, bool]], int]:
        """(document id, source hash, failed before) to extract now, documents that failed before
        last (one that crashes the process cannot starve the others); and how many wait their turn."""
        history = pending.attempts(store.conn)
        queue, waiting = [], 0
        for doc_id, sha in pending.to_extract(store.conn).items():
            attempt = history.get(doc_id)
            if not pending.due(attempt, sha):
                waiting += 1
                continue
            queue.append((doc_id, sha, attempt is not None and attempt.source_sha == sha))
        queue.sort(key=lambda item: item[2])  # stable: id order within each part
        return queue, waiting

    def _extract_one(self, doc, suspect: bool) -> list[Record]:
        """A document's records; one that failed before is extracted in a child process, so that
        if it crashes again only the child dies."""
        from extract.pipeline import extract_document

        if not suspect:
            return extract_document(doc, self.settings.files_dir)
        return extract_in_child(doc, self.settings.files_dir)

    def _record_stage(
        self,
        runs: Runs,
        stage: str,
        per_council: dict[str, dict],
        seconds: dict[str, float],
        elapsed: float,
        answered: dict[str, int] | None = None,
    ) -> dict[str, int]:
        """Write a stage's rows (one per council, one '*' for the whole stage); return its totals."""
        answered = answered or {}
        for council, counts in per_council.items():
            runs.stage(self.run_id, council, stage, counts, seconds.get(council, 0.0), answered.get(council))
        totals = {k: sum(c[k] for c in per_council.values()) for k in COUNT_KEYS}
        runs.stage(self.run_id, "*", stage, totals, elapsed, sum(answered.values()) if answered else None)
        return totals

    @staticmethod
    def _store_records(
        store: Store, doc_id: str, source_sha: str, version: str, records: list
    ) -> tuple[dict, str | None]:
        """A document's records, the removal of records it no longer yields, its new source hash and
        the end of its attempt, in one transaction: a kill or a full disk leaves the document either
        done or still queued. Returns the counts, and the reason if the document is now quarantined."""
        with store.transaction() as conn:
            stored = store.put_records(records)
            keep = {r.id for r in records}
            stale = [
                row[0]
                for row in conn.execute(
                    "SELECT id FROM records WHERE document_id = ? OR id = ?", (doc_id, doc_id)
                )
                if row[0] not in keep
            ]
            if stale:
                pending.delete_records(store, stale)
            retry = [r for r in records if r.status in pending.RETRY_STATUSES]
            pending.mark_extracted(conn, doc_id, source_sha, version, bool(retry))
            failure = f"{retry[0].id}: {retry[0].status_detail or retry[0].status}" if retry else None
            held = pending.end_attempt(conn, doc_id, source_sha, failure)
        return stored, failure if held else None

    def _index(self, store: Store, runs: Runs, summary: dict) -> None:
        from index.service import backend_for, index_records

        started = time.monotonic()
        before = pending.queued_by_council(store.conn, self.backend)
        stage: dict = {"backend": self.backend, "indexed": 0, "deleted": 0}
        try:
            engine = backend_for(self.settings, self.backend)
            stage["deleted"] = pending.send_deletes(store, engine, self.backend)
            rebuild = self._index_has_strays(store, engine.count())
            stage["rebuilt"] = rebuild
            # Sends the store's whole queue and marks records indexed only after the index commits.
            result = index_records(
                self.settings, backend=self.backend, rebuild=rebuild, progress=_interactive()
            )
            stage["indexed"] = result.get("indexed", 0)
            if left := store.count_unindexed(self.backend):  # some documents refused without an error
                raise RuntimeError(f"the index did not accept {left} records")
        except Exception as exc:  # backend down or a rejected batch: records stay queued
            left = store.count_unindexed(self.backend)
            log.error(
                "indexing into %s failed: %s; %d records stay queued in the store and are sent next run",
                self.backend,
                exc,
                left,
                extra={"stage": "index"},
            )
            summary["errors"].append(f"index: {exc} ({left} records queued for the next run)")
        after = pending.queued_by_council(store.conn, self.backend)
        per_council = {}
        for council in sorted(set(before) | set(after)):
            # For the index stage "new" counts records sent, "failed" records still queued.
            c = {
                "new": max(before.get(council, 0) - after.get(council, 0), 0),
                "changed": 0,
                "unchanged": 0,
                "failed": after.get(council, 0),
            }
            per_council[council] = c
        elapsed = time.monotonic() - started
        totals = self._record_stage(runs, "index", per_council, {}, elapsed)
        stage.update(queued=totals["failed"], councils=per_council, totals=totals, seconds=round(elapsed, 3))
        summary["stages"]["index"] = stage

    def _index_has_strays(self, store: Store, in_index: int) -> bool:
        """True when the index holds more records than the store: only a rebuild removes those.

        (Strays come from a restored index backup or records deleted behind the store's back;
        an index holding fewer records than the store marked is refilled by index_records.)
        """
        total = store.count("records")
        if in_index <= total:
            return False
        log.warning(
            "the %s index holds %d records but the store only %d: rebuilding it from the store",
            self.backend,
            in_index,
            total,
            extra={"stage": "index"},
        )
        return True

    def _watches(self, store: Store, summary: dict) -> None:
        watches = Watches(self.settings, store, self.backend)
        for watch in watches.list():
            try:
                new = watches.check(watch, self.run_id)
            except Exception as exc:  # one broken watch (or a down cluster) must not hide the others
                log.error("watch %s failed: %s", watch.name, exc)
                summary["errors"].append(f"watch {watch.name}: {exc}")
                continue
            summary["watches"][watch.name] = {
                "query": watch.query,
                "new": len(new),
                "matches": [
                    {k: h.get(k) for k in ("id", "title", "council", "decision_date", "url")} for h in new
                ],
                "feed": str(feed_path(self.settings, watch.name)),
            }
            if new:
                log.info("watch %s: %d new matches", watch.name, len(new))

    def _health(self, runs: Runs, summary: dict, crawl_rows: list[StageRow]) -> None:
        councils = summary.get("councils") or {}
        # The crawler's own reason (e.g. "site unreachable: DNS lookup failed ...") beats a guess.
        failed = {c: (councils.get(c) or {}).get("unreachable") for c in summary.get("failed_councils") or ()}
        raised = {c: row.get("flags") or [] for c, row in councils.items()}
        for flag in health.assess(runs, self.run_id, crawl_rows, failed, raised):
            runs.flag(self.run_id, flag.council, flag.flag, flag.message)
            log.warning("CRAWL HEALTH: %s", flag.message, extra={"council": flag.council, "stage": "crawl"})
            summary["health"].append(flag.to_dict())


def name_council(records: list[Record], council_id: str | None) -> list[Record]:
    """Give records their council as the registry has it, the one casing rule for stored records:
    ``council`` is the registry id spelt as the registry spells it (as in document ids, "BNH"),
    ``council_name`` its name. A council the registry does not know keeps its id and no name.

    (Here, not in extract/: extraction reads a document, the registry belongs to the crawl side.)
    """
    council = find_council(council_id) if council_id else None
    if council is not None:
        for r in records:
            r.council, r.council_name = council.id, council.name
    return records


def extract_in_child(doc: Document, files_dir: Path) -> list[Record]:
    """extract_document in a forked child process; RuntimeError when the child dies or fails."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child_extract, args=(doc, files_dir, send), daemon=True)
    child.start()
    send.close()
    try:
        outcome = receive.recv()
    except EOFError:  # it died before answering
        outcome = None
    finally:
        receive.close()
        child.join()
    if outcome is None:
        raise RuntimeError(f"the extraction worker died (exit status {child.exitcode})")
    if isinstance(outcome, str):
        raise RuntimeError(outcome)
    return [Record.from_json(r) for r in outcome]


def _child_extract(doc: Document, files_dir: Path, send) -> None:
    from extract.pipeline import extract_document

    try:
        send.send([r.to_json() for r in extract_document(doc, files_dir)])
    except Exception as exc:
        send.send(f"{type(exc).__name__}: {exc}")


def _interactive() -> bool:
    """Progress bars only for a person watching a terminal, never in cron logs."""
    return sys.stderr.isatty()


@contextmanager
def _sigterm_exits() -> Iterator[None]:
    """Turn SIGTERM into SystemExit so open transactions roll back and the run is marked interrupted.

    (SIGKILL cannot be caught; the transactions and queues above are what make that one safe.)
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
