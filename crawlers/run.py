"""Run the crawl: `crawl(settings, councils, since, snapshot) -> summary`.

Scrapy's Twisted reactor cannot be restarted in a process, so each crawl runs in a child process
(`python -m crawlers.run SPEC.json`) and the caller can crawl as often as it likes. The child
dies with its parent (a killed `papers update` leaves no orphan crawler writing to the store).

The summary (crawlers/summary.py):

    {"councils": {ID: {"new", "changed", "unchanged", "failed", "status", "failures", "skipped",
                       "requests": {"answered", "failed"}, "seconds", "unreachable",
                       "gone", "listed", "flags": [{"flag", "message"}]}},
     "totals": {"new", "changed", "unchanged", "failed"},
     "new_ids": [...], "changed_ids": [...],   # document ids written by this run
     "failed_councils": [...], "run_started": ISO date, "seconds": float}

`status` is "ok", "partial" (some requests failed, retried next run; or the crawler raised a flag,
crawlers/summary.py) or "failed" (the
site answered nothing, or could not be reached: `unreachable` then says why, in one failure
entry, and the council's other requests were dropped unfetched, as crawlers/middlewares.py's
SiteBreaker explains). `requests` says how the site answered (2xx or 304, vs failed), which
tells a quiet night on an unchanged site from a dead one. `new_ids` / `changed_ids` name the documents this run stored; a caller
that must survive a killed run should not rely on them alone (they die with the run) but compare
the store's document hashes with what it processed, as papers/pipeline does.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

from crawlers.registry import Council, get_council, load_registry
from crawlers.settings import PARTIAL_DIR
from crawlers.snapshot import SnapshotServer
from papers import __version__
from papers.errors import EXIT_PARTIAL, UserError
from papers.logs import JsonLines
from papers.pipeline.lock import held_lock_fds
from papers.settings import Settings

log = logging.getLogger(__name__)


class CrawlError(UserError):
    """The crawl worker died without a summary (killed, or a bug): nothing it stored is lost."""

    exit_code = EXIT_PARTIAL


def user_agent(settings: Settings) -> str:
    """Who we are and how a council's web team reaches us."""
    return (
        f"committee-papers/{__version__} (+{settings.contact_url}; council committee papers research crawler)"
    )


def _councils(ids: list[str] | None, server: SnapshotServer | None) -> list[dict]:
    """Registry rows to crawl (base URLs pointed at the snapshot when there is one)."""
    if server is not None:
        wanted = ids or server.councils
        rows = []
        for cid in wanted:
            council = get_council(cid)
            if council.id not in server.hosts:
                raise UserError(
                    f"council {council.id} is not in the snapshot (it holds {', '.join(server.councils)})"
                )
            rows.append({**council.__dict__, "base_url": server.base_url_for(council.id)})
        return rows
    chosen: list[Council] = (
        [get_council(c) for c in ids] if ids else [c for c in load_registry() if c.crawlable]
    )
    for c in chosen:
        if not c.crawlable:
            raise UserError(f"council {c.id} is not crawled: {c.reason}")
    return [c.__dict__ for c in chosen]


def crawl(
    settings: Settings,
    councils: list[str] | None = None,
    since: str | date | None = None,
    snapshot: bool | SnapshotServer | None = None,
    *,
    scrapy_settings: dict | None = None,
) -> dict:
    """Crawl councils (default: every council a spider covers, or every council in the snapshot) into
    the store. `since` (ISO date) overrides each council's resume point. `snapshot=True` serves
    the bundled snapshot on a free port for the run; a SnapshotServer instance is used as is.
    `scrapy_settings` overrides Scrapy settings (tests)."""
    if isinstance(since, str):
        try:
            since = date.fromisoformat(since)
        except ValueError:
            raise UserError(f"--since {since!r} is not a date (YYYY-MM-DD)") from None
    own_server = SnapshotServer().start() if snapshot is True else None
    server = own_server or (snapshot if isinstance(snapshot, SnapshotServer) else None)
    try:
        rows = _councils(councils, server)
        overrides = dict(scrapy_settings or {})
        if server is not None:
            from crawlers.settings import SNAPSHOT_OVERRIDES

            overrides = {**SNAPSHOT_OVERRIDES, **overrides}
        return _run_worker(settings, rows, since, overrides)
    finally:
        if own_server is not None:
            own_server.stop()


def _run_worker(settings: Settings, rows: list[dict], since: date | None, overrides: dict) -> dict:
    settings.ensure()
    # Parts of files a killed run was writing: never renamed into place, so never referenced.
    shutil.rmtree(settings.files_dir / PARTIAL_DIR, ignore_errors=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="crawl-", dir=settings.data_dir) as tmp:
        spec = {
            "db": str(settings.db_path),
            "files_dir": str(settings.files_dir),
            "user_agent": user_agent(settings),
            "councils": rows,
            "since": since.isoformat() if since else None,
            "run_started": date.today().isoformat(),
            "overrides": overrides,
            "out": str(Path(tmp) / "summary.json"),
            "log_level": logging.getLevelName(logging.getLogger().getEffectiveLevel()),
            # --log-json (papers/logs.py) holds for the child too: schedulers parse every line.
            "log_json": any(isinstance(h.formatter, JsonLines) for h in logging.getLogger().handlers),
        }
        spec_path = Path(tmp) / "spec.json"
        spec_path.write_text(json.dumps(spec))
        log.info("crawling %d council(s)", len(rows))
        # The worker holds the run lock with us (it inherits the descriptor) and is killed when we
        # die (_die_with_parent): a re-run after `kill -9` waits until the worker is gone too.
        proc = subprocess.run(
            [sys.executable, "-m", "crawlers.run", str(spec_path), str(os.getpid())],
            check=False,
            pass_fds=held_lock_fds(),
        )
        out = Path(spec["out"])
        if not out.exists():
            raise CrawlError(
                f"the crawl worker exited with status {proc.returncode} before finishing; "
                "pages it stored are kept and the next run resumes"
            )
        summary = json.loads(out.read_text())
    summary["run_started"] = spec["run_started"]
    summary["seconds"] = round(time.monotonic() - started, 3)
    return summary


# -- the child process ---------------------------------------------------------------------------


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent(parent: int) -> None:
    """Have the kernel kill this process when its parent dies (Linux: a parent-death signal, no
    gap); elsewhere, poll for the parent twice a second."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
            if os.getppid() != parent:  # it died before the signal was asked for
                os._exit(1)
            return

    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(1)
            time.sleep(0.5)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


def _worker(spec_path: str, parent: int) -> int:
    _die_with_parent(parent)  # first: the imports below take a moment
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings as ScrapySettings

    from crawlers.logs import one_line_failures
    from crawlers.spiders.cmis import CmisMeetingsSpider
    from crawlers.spiders.moderngov import ModernGovDecisionsSpider, ModernGovMeetingsSpider
    from crawlers.state import CrawlState
    from crawlers.summary import Tally
    from index.store import Store, now_iso

    spec = json.loads(Path(spec_path).read_text())
    tally = Tally([c["id"] for c in spec["councils"]])
    s = ScrapySettings()
    s.setmodule("crawlers.settings", priority="project")
    s.update(
        {
            "USER_AGENT": spec["user_agent"],
            "FILES_STORE": spec["files_dir"],
            "PAPERS_DB": spec["db"],
            "LOG_LEVEL": "DEBUG" if spec["log_level"] == "DEBUG" else "WARNING",
            # Scrapy's root handler writes LOG_FORMAT; JSON lines come from our own (below).
            "LOG_INSTALL_ROOT_HANDLER": not spec.get("log_json"),
        },
        priority="cmdline",
    )
    s.update(spec["overrides"], priority="cmdline")
    Store(spec["db"]).close()  # create the store's tables before two spiders race to
    process = CrawlerProcess(s)
    one_line_failures()
    if spec.get("log_json"):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonLines())
        handler.setLevel(s.get("LOG_LEVEL"))
        logging.root.setLevel(logging.NOTSET)
        logging.root.addHandler(handler)
    kwargs = {
        "councils": spec["councils"],
        "since": spec["since"],
        "run_started": spec["run_started"],
        "tally": tally,
    }
    # A platform's spiders run one after the other: each keeps to two requests per site, together
    # they would not. Platforms run side by side: their councils' sites are not the same sites.
    chains = [[ModernGovMeetingsSpider, ModernGovDecisionsSpider], [CmisMeetingsSpider]]
    # Each spider has its own download slots, so the next in a chain first waits out one delay: its
    # first request to a site must not follow the last one's at once (national_sim saw 0.09 s). A
    # plain sleep: a scheduled call would let the reactor stop between the two.
    pause = s.getfloat("DOWNLOAD_DELAY")

    def run_chain(spiders: list, rows: list[dict]):
        done = process.crawl(spiders[0], **{**kwargs, "councils": rows})
        if spiders[1:]:

            def then_next(_):
                time.sleep(pause)
                return run_chain(spiders[1:], rows)

            done.addBoth(then_next)
        return done

    for chain in chains:
        if rows := [c for c in spec["councils"] if c["platform"] == chain[0].platform]:
            run_chain(chain, rows)
    started = now_iso()
    process.start()
    summary = tally.summary()
    with Store(spec["db"]) as store:
        state = CrawlState(store.conn)
        with store.transaction():
            state.prune_dated([c["id"] for c in spec["councils"]], started)
            for council, row in summary["councils"].items():
                # Failed requests are retried from crawl_failures; pages robots.txt kept us from
                # are not, so such a council keeps its resume point until robots lets us in.
                ok = row["status"] != "failed" and not row["skipped"]
                state.finish_council(council, date.fromisoformat(spec["run_started"]), ok)
    tmp = Path(spec["out"]).with_suffix(".tmp")
    tmp.write_text(json.dumps(summary))
    os.replace(tmp, spec["out"])
    return 0


if __name__ == "__main__":
    sys.exit(_worker(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else os.getppid()))
