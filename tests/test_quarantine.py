"""Documents that always fail, or that crash the process, stop being retried forever (issue 17 items 3, 4).

A poison document (an attachment that never downloads) is tried MAX_ATTEMPTS times with backoff,
then quarantined: `papers check` passes and says so, `papers runs` reports it. A document that kills
the process is known as such at the next run (its attempt was recorded before it started), goes to
the back of the queue so the others are extracted and indexed, is retried in a child process, and
is quarantined after repeated crashes.
"""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from index.store import Store
from papers.cli import cli
from papers.pipeline import pending
from papers.pipeline.check import check
from papers.pipeline.job import UpdateJob
from papers.settings import Settings
from tests.test_update import document, state, store_docs

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def settings(tmp_path) -> Settings:
    s = Settings(data_dir=tmp_path).ensure()
    s.files_dir.mkdir()
    return s


def poison(settings):
    doc = document(settings, 9)
    doc.attachments[0].path = None  # never downloaded: its record is an "error", retried next run
    doc.attachments[0].sha256 = None
    return doc


def nights(settings, n: int) -> list[dict]:
    """n runs a night apart: each starts after the previous one's backoff has passed."""
    out = []
    for _ in range(n):
        out.append(UpdateJob(settings).reextract())
        with Store(settings.db_path) as store:
            store.conn.execute("UPDATE extraction_attempts SET next_attempt = '2000-01-01T00:00:00Z'")
    return out


def test_a_document_that_always_fails_is_quarantined_after_capped_attempts(settings):
    store_docs(settings, [document(settings, 1), poison(settings)])
    first, second, third, fourth = nights(settings, 4)
    assert [r["stages"]["extract"]["documents"] for r in (first, second, third, fourth)] == [2, 1, 1, 0]
    assert [len(r["stages"]["extract"]["quarantined"]) for r in (first, second, third)] == [0, 0, 1]
    held = third["stages"]["extract"]["quarantined"][0]
    assert held["id"] == "bromley:decision_details:9" and "not downloaded" in held["reason"]
    assert fourth["stages"]["extract"]["quarantined_in_store"] == 1 and fourth["exit_code"] == 0
    report = check(settings)
    assert report.ok, report.findings
    assert [(n.kind, n.id) for n in report.notes] == [("quarantined", "bromley:decision_details:9")]
    runner = CliRunner()
    said = runner.invoke(cli, ["--data-dir", str(settings.data_dir), "check"])
    assert said.exit_code == 0 and "quarantined: 1" in said.stdout
    shown = runner.invoke(cli, ["--data-dir", str(settings.data_dir), "runs", str(third["run_id"])]).stdout
    assert "!! QUARANTINED bromley:decision_details:9" in shown


def test_between_attempts_a_failing_document_waits_its_backoff(settings):
    store_docs(settings, [poison(settings)])
    UpdateJob(settings).reextract()
    again = UpdateJob(settings).reextract()  # an hour later, say: not yet
    assert again["stages"]["extract"]["documents"] == 0 and again["stages"]["extract"]["waiting"] == 1
    report = check(settings)
    assert report.ok and [n.kind for n in report.notes] == ["retrying extraction"]


def test_a_changed_source_lifts_the_quarantine(settings, monkeypatch):
    monkeypatch.setattr(pending, "MAX_ATTEMPTS", 1)
    doc = poison(settings)
    store_docs(settings, [doc])
    assert len(UpdateJob(settings).reextract()["stages"]["extract"]["quarantined"]) == 1
    store_docs(settings, [document(settings, 9)])  # the attachment arrived
    summary = UpdateJob(settings).reextract()
    assert (
        summary["stages"]["extract"]["documents"] == 1
        and summary["stages"]["extract"]["quarantined_in_store"] == 0
    )
    assert check(settings).ok and not check(settings).notes


CRASHER = textwrap.dedent(
    """
    import os, signal, sys
    from datetime import timedelta
    from pathlib import Path

    import extract.pipeline
    from papers.pipeline import pending
    from papers.pipeline.job import UpdateJob
    from papers.settings import Settings

    real = extract.pipeline.extract_document

    def native_crash(doc, files_dir):  # as a segfault in a PDF library or the OOM killer would
        if doc.id == sys.argv[2]:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(doc, files_dir)

    extract.pipeline.extract_document = native_crash
    pending.RETRY_AFTER = timedelta(0)  # a night apart
    summary = UpdateJob(Settings(data_dir=Path(sys.argv[1]))).reextract()
    print(__import__("json").dumps(summary["stages"]["extract"]))
    """
)


def test_a_document_that_kills_the_process_is_skipped_and_the_others_go_on(settings):
    crasher = "bromley:decision_details:1"  # first in the queue's order
    store_docs(settings, [document(settings, n) for n in (1, 2, 3)])

    def night() -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-c", CRASHER, str(settings.data_dir), crasher],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )

    killed = night()
    assert killed.returncode == -9  # nothing after the crasher was extracted that night
    with Store(settings.db_path) as store:
        assert store.count("records") == 0
        assert pending.attempts(store.conn)[crasher].running_since  # but its attempt was recorded
    outcomes = []
    for _ in range(2):
        run = night()
        assert run.returncode == 0, run.stderr[-2000:]
        outcomes.append(json.loads(run.stdout.splitlines()[-1]))
    # the next night: the others first, the crasher last and in a child process, which dies alone
    assert outcomes[0]["totals"]["new"] == 4 and outcomes[0]["quarantined"] == []
    assert [q["id"] for q in outcomes[1]["quarantined"]] == [crasher]
    records, indexed = state(settings)
    assert len(records) == 4 and set(records) == indexed
    assert not any(r.startswith(crasher + "/") or r == crasher for r in records)
    report = check(settings)
    assert report.ok and [(n.kind, n.id) for n in report.notes] == [("quarantined", crasher)]
    with Store(settings.db_path) as store:
        reason = pending.quarantined(store.conn)[0].reason
    assert "worker died" in reason
