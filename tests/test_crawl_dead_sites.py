"""Dead council servers: given up on quickly, reported once with the reason, resumed next run.

Every run is a real `papers crawl` subprocess (bounded by a subprocess timeout, not a timed
assertion: before the circuit breaker a dead site took minutes). A small driver points chosen
councils at dead addresses: a closed port, a hostname that cannot resolve (.invalid never does),
a port that accepts connections and never answers, and TLS spoken to a plain-HTTP server.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from crawlers.state import CrawlState
from index.store import Store
from papers.settings import Settings

ROOT = Path(__file__).resolve().parent.parent

# Councils named in `dead` get that base URL ("{port}" is the snapshot's own port), the
# rest the snapshot's; with "registry" in the spec, the run skips the snapshot and looks the
# council up in the registry as a real crawl does, with the production Scrapy settings.
DRIVER = r"""
import json, sys

import crawlers.registry
import crawlers.run
import crawlers.settings
from crawlers.registry import Council
from crawlers.snapshot import SnapshotServer

spec = json.loads(sys.argv[1])
crawlers.settings.SNAPSHOT_OVERRIDES["DOWNLOAD_TIMEOUT"] = 1  # the silent site times out sooner


class WithDeadSites(SnapshotServer):
    def base_url_for(self, council_id):
        dead = spec["dead"].get(council_id)
        return dead.format(port=self.port) if dead else super().base_url_for(council_id)


crawlers.run.SnapshotServer = WithDeadSites
if spec.get("registry"):  # a registry row of a dead site, wherever the council is looked up
    crawlers.run.get_council = crawlers.registry.get_council = lambda cid: Council(
        cid, "Dead Council", "moderngov", spec["dead"][cid]
    )

from papers.cli import main

sys.argv = ["papers", *spec["argv"]]
main()
"""

SEEDED_SUCCESS = date(2021, 3, 1)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def silent_port():
    """A port that accepts connections (the kernel's backlog) and never says a word."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(16)
        yield s.getsockname()[1]


def run_crawl(data_dir: Path, councils: list[str], dead: dict[str, str], registry: bool = False):
    argv = ["--data-dir", str(data_dir), "crawl", "--json"] + ([] if registry else ["--snapshot"])
    for council in councils:
        argv += ["--council", council]
    spec = {"dead": dead, "argv": argv, "registry": registry}
    proc = subprocess.run(
        [sys.executable, "-c", DRIVER, json.dumps(spec)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=90,  # a dead site used to hold the run for minutes
    )
    return proc.returncode, json.loads(proc.stdout), proc.stderr


def seed(data_dir: Path, councils: list[str]) -> None:
    """A resume point and a failed request from an earlier run, for each dead council."""
    with Store(Settings(data_dir=data_dir).db_path) as store:
        state = CrawlState(store.conn)
        with store.transaction():
            for council in councils:
                state.finish_council(council, SEEDED_SUCCESS, ok=True)
                state.record_failure(
                    f"http://old/{council}/mgAi.aspx?ID=1",
                    council,
                    "moderngov_meetings",
                    "parse_page",
                    "mgAi.aspx?ID=1",
                    {},
                    "HTTP 500",
                )


def resume_points(data_dir: Path) -> tuple[dict[str, date | None], dict[str, int]]:
    with Store(Settings(data_dir=data_dir).db_path) as store:
        state = CrawlState(store.conn)
        councils = [r[0] for r in store.conn.execute("SELECT council FROM crawl_councils")]
        failures = {c: len(state.failures(c)) for c in councils}
        return {c: state.last_success(c) for c in councils}, failures


def assert_given_up_once(row: dict, stderr: str, council: str, reason: str) -> None:
    assert row["status"] == "failed" and reason in row["unreachable"]
    assert row["failures"] == [
        {"url": row["failures"][0]["url"], "error": f"site unreachable: {row['unreachable']}"}
    ]
    assert row["failed"] == 1 and row["new"] == row["changed"] == row["unchanged"] == 0
    lines = [line for line in stderr.splitlines() if f"{council}: site unreachable" in line]
    assert len(lines) == 2, stderr  # the crawler's ERROR line, and the CLI's closing line
    assert any(" ERROR " in line for line in lines) and f"error: {council}: site unreachable: " in stderr


def test_dead_sites_are_given_up_quickly_and_reported_once_with_the_reason(tmp_path, silent_port):
    dead = {
        "EPS": f"http://127.0.0.1:{closed_port()}/EPS",
        "BOS": "http://moderngov.committee-papers-test.invalid/BOS",
        "CHO": f"http://127.0.0.1:{silent_port}/CHO",
        "TEN": "https://127.0.0.1:{port}/TEN",  # TLS spoken to the snapshot, which speaks plain HTTP
    }
    seed(tmp_path, list(dead))
    code, summary, stderr = run_crawl(tmp_path, [*dead, "HMF"], dead)

    assert code == 1
    assert "Traceback" not in stderr and "direct cause" not in stderr, stderr
    rows = summary["councils"]
    assert_given_up_once(rows["EPS"], stderr, "EPS", f"connection refused by {dead['EPS'][7:-4]}")
    assert_given_up_once(
        rows["BOS"], stderr, "BOS", "DNS lookup failed for moderngov.committee-papers-test.invalid"
    )
    assert_given_up_once(rows["CHO"], stderr, "CHO", f"no answer from 127.0.0.1:{silent_port} within 1")
    assert_given_up_once(rows["TEN"], stderr, "TEN", "TLS handshake with 127.0.0.1:")
    assert sorted(summary["failed_councils"]) == sorted(dead)
    # A healthy council in the same run is crawled as ever.
    assert rows["HMF"]["status"] == "ok" and rows["HMF"]["new"] == 3 and rows["HMF"]["unreachable"] is None

    last_success, failures = resume_points(tmp_path)
    assert {c: last_success[c] for c in dead} == dict.fromkeys(dead, SEEDED_SUCCESS)  # resumes from there
    assert {c: failures[c] for c in dead} == dict.fromkeys(dead, 1)  # still asked for next run
    assert last_success["HMF"] == date.today()


def test_a_dead_registry_council_ends_within_seconds_under_production_settings(tmp_path):
    """As `papers crawl --council BRY` offline: real politeness settings (retries, backoff, delays),
    and the site is dropped after robots.txt alone, not after every yearly window since 2000."""
    dead = {"XYZ": "https://moderngov.committee-papers-test.invalid"}
    code, summary, stderr = run_crawl(tmp_path, ["XYZ"], dead, registry=True)
    assert code == 1 and summary["failed_councils"] == ["XYZ"]
    assert_given_up_once(summary["councils"]["XYZ"], stderr, "XYZ", "DNS lookup failed for moderngov.")
    assert "Traceback" not in stderr
    assert sum("robots.txt not fetched" in line for line in stderr.splitlines()) == 1


def test_a_slow_page_on_a_live_site_is_not_a_connection_failure():
    from scrapy import Request
    from scrapy.exceptions import DownloadTimeoutError

    from crawlers.middlewares import connection_failure

    silent = Request("http://council.example/mgAi.aspx?ID=1", meta={"download_timeout": 60})
    assert connection_failure(DownloadTimeoutError("took longer"), silent) == (
        "no answer from council.example within 60 s"
    )
    slow_body = silent.replace(meta={"download_timeout": 60, "download_latency": 0.4})  # headers came
    assert connection_failure(DownloadTimeoutError("took longer"), slow_body) is None
    assert connection_failure(ValueError("a parser bug"), silent) is None


def test_site_faults_log_one_line_and_bugs_keep_their_traceback_at_debug(caplog):
    import logging

    from crawlers.logs import FILES_LOGGER, OneLineFailures
    from crawlers.pipelines import FileProblem

    files = logging.getLogger(FILES_LOGGER)
    one_line = OneLineFailures()
    files.addFilter(one_line)
    try:
        with caplog.at_level(logging.DEBUG, logger=FILES_LOGGER):
            for exc in (FileProblem("truncated PDF (no %%EOF trailer)"), KeyError("a bug")):
                try:
                    raise exc
                except Exception:
                    files.error("File (unknown-error): Error processing file", exc_info=True)
    finally:
        files.removeFilter(one_line)
    fault, traceback, bug = caplog.records
    assert (fault.levelname, fault.getMessage(), fault.exc_info) == (
        "WARNING",
        "File (unknown-error): Error processing file: truncated PDF (no %%EOF trailer)",
        None,
    )
    assert traceback.levelname == "DEBUG" and traceback.exc_info[0] is KeyError
    assert bug.levelname == "ERROR" and bug.getMessage().endswith("'a bug'") and bug.exc_info is None
