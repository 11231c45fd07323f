"""Years of nightly runs leave a flat data directory (issue 17 item 8).

A year of simulated nights (each with a run, its stage rows and flags, a new crawl failure and
the temporary folder of a killed crawl) keeps the same number of rows and folders from the
second month on; a WAL grown under a reader is truncated at the end of the next job; and
`papers check` runs SQLite's quick_check without holding the run lock while it hashes files.
"""

import json
from datetime import datetime, timedelta, timezone

import pytest

import index.store
from crawlers.state import CrawlState
from index.store import Store
from papers.pipeline import check as check_module
from papers.pipeline import retention
from papers.pipeline.check import check
from papers.pipeline.job import UpdateJob
from papers.pipeline.lock import Locked, RunLock
from papers.pipeline.runs import Runs
from papers.settings import Settings
from tests.test_update import document, store_docs

START = datetime(2025, 1, 1, 2, 15, tzinfo=timezone.utc)


@pytest.fixture
def settings(tmp_path) -> Settings:
    s = Settings(data_dir=tmp_path, retention_days=30).ensure()
    s.files_dir.mkdir()
    return s


def night(store: Store, settings: Settings, n: int) -> dict[str, int]:
    """One simulated night: what a run leaves, then the pruning each run ends with."""
    now = START + timedelta(days=n)
    stamp = now.strftime(retention.ISO)
    runs, state = Runs(store.conn), CrawlState(store.conn)
    retention.remove_crawl_leftovers(settings.data_dir)
    run = runs.start("update", {})
    store.conn.execute("UPDATE runs SET started_at = ?, status = 'ok' WHERE id = ?", (stamp, run))
    for council in ("BRY", "HAL", "THR"):
        runs.stage(run, council, "crawl", {"new": 3, "failed": 1}, 1.5, 12)
    runs.flag(run, "HAL", "went quiet", "HAL returned nothing")
    state.record_failure(f"https://hal.test/{n}.pdf", "HAL", "meetings", "parse", "u", {}, "500")
    store.conn.execute("UPDATE crawl_failures SET first_failed = ? WHERE url LIKE ?", (stamp, f"%/{n}.pdf"))
    (settings.data_dir / f"crawl-{n}").mkdir()  # this night's crawl was killed and left its folder
    (settings.data_dir / f"crawl-{n}" / "spec.json").write_text("{}")
    retention.prune(store.conn, settings.retention_days, now)
    return {
        **{
            table: store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("runs", "run_stages", "run_flags", "crawl_failures")
        },
        "crawl folders": len(list(settings.data_dir.glob("crawl-*"))),
    }


def test_a_year_of_nights_stays_flat(settings):
    with Store(settings.db_path) as store:
        sizes = [night(store, settings, n) for n in range(365)]
        pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    month_two, year_end = sizes[60], sizes[-1]
    assert year_end == month_two, (month_two, year_end)
    assert year_end["runs"] == retention.KEEP_RUNS + 1 and year_end["crawl_failures"] == 31
    assert year_end["crawl folders"] == 1  # tonight's; a run removes it the next night
    assert pages < 200  # free pages are reused: the file does not grow with the nights


def test_each_update_prunes_and_removes_killed_crawls_folders(settings):
    with Store(settings.db_path) as store:
        runs = Runs(store.conn)
        old = runs.start("update", {})
        store.conn.execute(
            "UPDATE runs SET started_at = '2001-01-01T00:00:00Z', status = 'ok' WHERE id = ?", (old,)
        )
        store.conn.executemany(
            "INSERT INTO runs (kind, started_at, status) VALUES ('update', ?, 'ok')",
            [("2001-01-02T00:00:00Z",)] * (retention.KEEP_RUNS - 1),  # with this run: the last KEEP_RUNS
        )
    (settings.data_dir / "crawl-abc123").mkdir()
    summary = UpdateJob(settings).reextract()
    assert summary["retention"] == {"runs": 1, "crawl_failures": 0}
    assert not list(settings.data_dir.glob("crawl-*"))
    with Store(settings.db_path) as store:
        assert Runs(store.conn).get(old) is None


def test_a_wal_grown_under_a_reader_is_truncated_when_the_next_job_ends(settings, monkeypatch):
    monkeypatch.setattr(index.store, "JOURNAL_SIZE_LIMIT", 256 * 1024)
    wal = settings.db_path.with_name(settings.db_path.name + "-wal")
    bodies = [
        document(settings, n, attachments=0, body="<p>fostering</p>" + "x" * 20_000) for n in range(150)
    ]
    with Store(settings.db_path) as reader:  # `papers serve`, open all along
        reader.conn.execute("BEGIN")
        reader.conn.execute("SELECT count(*) FROM documents").fetchone()  # a long read
        store_docs(settings, bodies)
        grown = wal.stat().st_size
        reader.conn.execute("ROLLBACK")
        UpdateJob(settings).reextract()
        assert grown > 2 * 1024 * 1024 and wal.stat().st_size <= 256 * 1024, grown


def test_check_runs_quick_check(settings):
    store_docs(settings, [document(settings, n, attachments=0) for n in range(40)])
    UpdateJob(settings).reextract()
    assert check(settings).ok
    with Store(settings.db_path) as store:  # orphan an index's pages, as a torn write might
        store.conn.execute("PRAGMA writable_schema=ON")
        store.conn.execute("DELETE FROM sqlite_master WHERE name = 'records_document'")
        store.conn.execute("PRAGMA writable_schema=OFF")
    report = check(settings)
    assert {f.kind for f in report.findings} == {"database structure"}
    assert any("never used" in f.detail for f in report.findings)


def test_check_does_not_hold_the_run_lock_while_it_hashes_files(settings, monkeypatch):
    store_docs(settings, [document(settings, 1)])
    UpdateJob(settings).reextract()
    seen = []
    real = check_module.file_sha256

    def hashing(path):  # a nightly update starting while check hashes a big file
        try:
            RunLock(settings.data_dir, "update").acquire().release()
            seen.append("update could start")
        except Locked:
            seen.append("update refused")
        return real(path)

    monkeypatch.setattr(check_module, "file_sha256", hashing)
    report = check(settings, lock=RunLock(settings.data_dir, "check"))
    assert report.ok and seen == ["update could start"]
    assert json.loads(json.dumps(report.to_dict()))["ok"]
