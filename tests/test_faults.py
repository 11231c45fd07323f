"""Fault tests for `papers update`, end to end against the local snapshot (crawlers/snapshot.py).

Every run is a real `papers update --snapshot --json` subprocess. A small driver (DRIVER below)
pins the snapshot server to one port, so that every run in this module sees the same URLs and
document ids, injects the snapshot server's faults, and, for the kill tests, replaces one
function with a SIGKILL so the run dies at an exact point. The crawl kill races the real crawl.

After each fault the next clean run must leave the store and the index exactly as one
uninterrupted run does (the module's baseline), and `papers check` must pass.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index.backends import open_backend
from papers.pipeline import pending
from papers.settings import Settings

# A handful of snapshot councils with what the faults need: PDFs (HAL, LCE, COV), the bundled
# broken PDF (FEN), dead link (DAL), session-id URLs (LCE), two meetings' agenda items (DUR).
COUNCILS = ["HAL", "FEN", "DAL", "LCE", "COV", "DUR"]

DRIVER = r"""
import functools, json, os, signal, sqlite3, sys

import crawlers.run
from crawlers.snapshot import Fault, SnapshotServer
from index.store import Store

spec = json.loads(sys.argv[1])
crawlers.run.SnapshotServer = functools.partial(
    SnapshotServer, port=spec["port"], faults=[Fault(**f) for f in spec["faults"]])
calls = []


def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)


real_put_records = Store.put_records


def put_records(self, records):
    calls.append(1)
    if spec["hook"] == "disk_full" and len(calls) >= spec["n"]:
        raise sqlite3.OperationalError("database or disk is full")  # what SQLite says when it is
    out = real_put_records(self, records)
    if spec["hook"] == "kill_extract" and len(calls) == spec["n"]:
        die()  # inside the job's transaction for this document: nothing of it may survive
    return out


Store.put_records = put_records
if spec["hook"] == "kill_index":  # records handed to the index writer, not yet committed
    from index.backends.tantivy_backend import TantivyBackend
    TantivyBackend.commit = die
if spec["hook"] == "kill_marks":  # the index committed, the store not yet told
    Store.mark_indexed = die

from papers.cli import main

sys.argv = ["papers", *spec["argv"]]
main()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PORT = free_port()


def start(
    data_dir: Path, faults: list[dict] | None = None, hook: str | None = None, n: int = 0
) -> subprocess.Popen:
    argv = ["--data-dir", str(data_dir), "-q", "update", "--snapshot", "--json"]
    for council in COUNCILS:
        argv += ["--council", council]
    spec = {"port": PORT, "faults": faults or [], "hook": hook, "n": n, "argv": argv}
    return subprocess.Popen(
        [sys.executable, "-c", DRIVER, json.dumps(spec)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def finish(proc: subprocess.Popen) -> tuple[int, dict | None, str]:
    out, err = proc.communicate(timeout=120)
    return proc.returncode, (json.loads(out) if out.strip() else None), err


def update(data_dir: Path, **kw) -> tuple[int, dict | None, str]:
    return finish(start(data_dir, **kw))


def db(data_dir: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{data_dir / 'papers.sqlite3'}?mode=ro", uri=True, timeout=30)


def state(data_dir: Path) -> dict:
    """What a run leaves: documents, attachments, records (less their fetch time), index ids."""
    with db(data_dir) as conn:
        records = {}
        for rec_id, body in conn.execute("SELECT id, json FROM records"):
            record = json.loads(body)
            record.pop("fetched_at")
            records[rec_id] = record
        queued = conn.execute(
            "SELECT count(*) FROM records r WHERE NOT EXISTS (SELECT 1 FROM index_marks m "
            "WHERE m.backend = 'tantivy' AND m.id = r.id AND m.sha256 = r.sha256)"
        ).fetchone()[0]
        result = {
            "documents": dict(conn.execute("SELECT id, sha256 FROM documents")),
            "attachments": {
                (d, u): (s, p)
                for d, u, s, p in conn.execute("SELECT document_id, url, sha256, path FROM attachments")
            },
            "records": records,
            "queued for index": queued,
            "awaiting extraction": sorted(pending.to_extract(conn)),
        }
    index = open_backend(Settings(data_dir=data_dir), "tantivy")
    result["index"] = sorted(index.ids())
    result["index count"] = index.count()
    return result


def check(data_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "papers.cli", "--data-dir", str(data_dir), "check"],
        capture_output=True,
        text=True,
        timeout=60,
    )


def assert_complete(data_dir: Path, baseline: dict, markup_changed: str = "\0") -> None:
    """The store and index hold what the baseline run left. Pages of councils whose markup was
    served differently (``markup_changed``, an id prefix) are compared by id and record only."""
    got = state(data_dir)
    assert got["documents"].keys() == baseline["documents"].keys()
    same_markup = {d: sha for d, sha in got["documents"].items() if not d.startswith(markup_changed)}
    assert same_markup == {d: baseline["documents"][d] for d in same_markup}
    assert got["attachments"] == baseline["attachments"]
    assert got["records"].keys() == baseline["records"].keys()
    assert got["records"] == baseline["records"]
    assert (got["index"], got["index count"]) == (baseline["index"], len(baseline["index"]))
    assert (got["queued for index"], got["awaiting extraction"]) == (0, [])
    checked = check(data_dir)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def kill_group(proc: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    """Kill the run and its crawl worker together, as a power cut or `systemctl kill` would."""
    os.killpg(proc.pid, sig)
    proc.wait(timeout=30)


def wait_for_documents(proc: subprocess.Popen, data_dir: Path, at_least: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the run finished before it could be interrupted"
        try:
            with db(data_dir) as conn:
                if conn.execute("SELECT count(*) FROM documents").fetchone()[0] >= at_least:
                    return
        except sqlite3.OperationalError:  # not created yet
            pass
        time.sleep(0.02)
    raise AssertionError("no documents appeared")


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> dict:
    """One uninterrupted run, then a second run over the unchanged snapshot."""
    data_dir = tmp_path_factory.mktemp("baseline")
    first = update(data_dir)
    assert first[0] == 0, first[2]
    after_first = state(data_dir)
    second = update(data_dir)
    assert second[0] == 0, second[2]
    return {"dir": data_dir, "first": first[1], "second": second[1], "state": after_first}


def test_uninterrupted_run_stores_extracts_and_indexes_everything(baseline):
    summary, got = baseline["first"], baseline["state"]
    assert set(summary["councils"]) == set(COUNCILS)
    assert summary["totals"]["new"] == len(got["documents"]) > 0
    assert summary["stages"]["extract"]["documents"] == len(got["documents"])
    assert summary["stages"]["index"]["totals"]["new"] == len(got["records"]) == len(got["index"])
    assert set(got["records"]) == set(got["index"])
    assert {r["status"] for r in got["records"].values()} >= {"ok"}
    assert summary["councils"]["DAL"]["failed"] == 1  # the snapshot's dead link, reported every run


def test_second_run_changes_nothing(baseline):
    second = baseline["second"]
    assert {k: second["totals"][k] for k in ("new", "changed")} == {"new": 0, "changed": 0}
    assert second["stages"]["extract"]["documents"] == 0
    assert second["stages"]["index"]["totals"]["new"] == 0 and second["stages"]["index"]["deleted"] == 0
    assert state(baseline["dir"]) == baseline["state"]


def test_an_unchanged_site_raises_no_health_flag_and_a_site_that_stops_answering_does(baseline, tmp_path):
    second = baseline["second"]
    assert second["health"] == [] and second["exit_code"] == 0
    for council in COUNCILS:  # nothing new, yet every site answered (304s, unchanged pages)
        row = second["councils"][council]
        assert row["requests"]["answered"] > 0 and row["seconds"] > 0, (council, row)
    shutil.copytree(baseline["dir"], tmp_path / "dir")
    code, summary, err = update(tmp_path / "dir", faults=[{"kind": "error", "match": "/FEN/", "status": 503}])
    assert code == 1
    assert summary["councils"]["FEN"]["requests"]["answered"] == 0
    assert [f["council"] for f in summary["health"]] == ["FEN"] and "CRAWL HEALTH FEN" in err


def test_sigkill_during_crawl_then_rerun_completes(baseline, tmp_path):
    # Slow pages keep the crawl going long enough to be killed in the middle of it.
    proc = start(tmp_path, faults=[{"kind": "slow", "match": "aspx", "seconds": 0.2}])
    wait_for_documents(proc, tmp_path, at_least=2)
    kill_group(proc)
    with db(tmp_path) as conn:
        stored = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    assert 0 < stored < len(baseline["state"]["documents"])
    code, summary, err = update(tmp_path)
    assert code == 0, err
    assert_complete(tmp_path, baseline["state"])
    with db(tmp_path) as conn:
        assert [s for (s,) in conn.execute("SELECT status FROM runs ORDER BY id")] == ["killed", "ok"]


@pytest.mark.parametrize("hook", ["kill_extract", "kill_index", "kill_marks"])
def test_sigkill_during_extraction_or_indexing_then_rerun_completes(baseline, tmp_path, hook):
    code, summary, _ = update(tmp_path, hook=hook, n=4)
    assert code == -signal.SIGKILL and summary is None
    killed = state(tmp_path)
    assert killed["documents"] == baseline["state"]["documents"]  # the crawl had finished
    if hook == "kill_extract":  # three documents' records committed, the fourth's rolled back
        assert len(killed["awaiting extraction"]) == len(killed["documents"]) - 3
    else:
        assert killed["queued for index"] == len(killed["records"]) and not killed["awaiting extraction"]
    code, summary, err = update(tmp_path)
    assert code == 0, err
    assert summary["stages"]["extract"]["documents"] == len(killed["awaiting extraction"])
    assert_complete(tmp_path, baseline["state"])


def test_sigterm_marks_the_run_interrupted_and_the_next_run_completes(baseline, tmp_path):
    proc = start(tmp_path, faults=[{"kind": "slow", "match": "aspx", "seconds": 0.2}])
    wait_for_documents(proc, tmp_path, at_least=1)
    proc.send_signal(signal.SIGTERM)  # the run only: it must stop its own crawl worker
    code, _, _ = finish(proc)
    assert code == 128 + signal.SIGTERM
    with db(tmp_path) as conn:
        assert conn.execute("SELECT status FROM runs").fetchall() == [("interrupted",)]
    assert update(tmp_path)[0] == 0
    assert_complete(tmp_path, baseline["state"])


def test_site_faults_are_reported_then_retried_and_nothing_is_lost(baseline, tmp_path):
    faults = [
        {"kind": "error", "match": "/DUR/mgAi.aspx?ID=28344", "status": 500},
        {"kind": "slow", "match": "/DUR/mgAi.aspx?ID=8210", "seconds": 3.5},  # beyond the 3 s timeout
        {"kind": "corrupt_pdf", "match": "/COV/documents/"},
        {"kind": "windows-1252", "match": "/DAL/ieDecisionDetails.aspx?ID=1514"},
        {"kind": "session_duplicate", "match": "/HAL/"},
    ]
    code, summary, err = update(tmp_path, faults=faults)
    assert code == 0, err  # pages and files failed, no council failed: reported, retried next run
    failures = {c: [f["url"] for f in row["failures"]] for c, row in summary["councils"].items()}
    assert any("mgAi.aspx?ID=28344" in u for u in failures["DUR"])
    assert any("mgAi.aspx?ID=8210" in u for u in failures["DUR"])
    assert any("/documents/" in u or "ieListDocuments" in u for u in failures["COV"])
    faulty = state(tmp_path)
    base = baseline["state"]
    # the session-id duplicates of HAL's pages are the same documents, not new ones
    assert sorted(d for d in faulty["documents"] if d.startswith("HAL")) == sorted(
        d for d in base["documents"] if d.startswith("HAL")
    )
    # the windows-1252 page reads exactly as the UTF-8 one
    dal = next(r for r in faulty["records"] if r.startswith("DAL:"))
    assert (
        faulty["records"][dal]["text"] == base["records"][dal]["text"] and "£" in base["records"][dal]["text"]
    )

    code, summary, err = update(tmp_path)  # the site is well again
    assert code == 0, err
    assert summary["totals"]["failed"] == 1  # only the snapshot's permanent dead link
    # HAL's pages were stored as served, with the duplicate links; what was extracted is the same.
    assert_complete(tmp_path, base, markup_changed="HAL:")


def test_full_disk_stops_the_run_with_exit_1_and_the_next_run_completes(baseline, tmp_path):
    code, summary, err = update(tmp_path, hook="disk_full", n=3)
    assert code == 1
    assert any("database or disk is full" in e and "left for the next run" in e for e in summary["errors"])
    assert "cannot store records" in err
    assert len(state(tmp_path)["awaiting extraction"]) == len(baseline["state"]["documents"]) - 2
    code, _, err = update(tmp_path)
    assert code == 0, err
    assert_complete(tmp_path, baseline["state"])


def test_two_updates_started_together_one_runs_one_exits_3(tmp_path):
    argv = [
        sys.executable,
        "-m",
        "papers.cli",
        "--data-dir",
        str(tmp_path),
        "update",
        "--snapshot",
        "--council",
        "HAL",
    ]
    procs = [
        subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    (won, table, _), (lost, _, message) = sorted(
        (p.returncode, *out) for p, out in zip(procs, outputs, strict=True)
    )
    assert (won, lost) == (0, 3)
    assert message.strip().splitlines()[-1].startswith("error: another run holds") and "pid" in message
    assert table.startswith("run 1 (update) ok") and "HAL" in table  # the summary a person reads
