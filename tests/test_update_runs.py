"""The runs table and crawl health: what `papers runs` shows, and when a council is flagged."""

import pytest
from click.testing import CliRunner

from index.store import Store
from papers.cli import cli
from papers.pipeline import health
from papers.pipeline.runs import Runs, StageRow


def finished_run(runs: Runs, crawl: dict[str, dict], status: str = "ok") -> int:
    run_id = runs.start("update", {})
    for council, counts in crawl.items():
        counts = dict(counts)
        runs.stage(run_id, council, "crawl", counts, 1.5, counts.pop("answered", None))
    runs.finish(run_id, status, 0, {})
    return run_id


def rows(crawl: dict[str, dict]) -> list[StageRow]:
    return [StageRow(c, "crawl", **counts) for c, counts in crawl.items()]


def test_runs_keep_stages_and_killed_runs_are_closed_by_the_next(tmp_path):
    store = Store(tmp_path / "s.db")
    runs = Runs(store.conn)
    first = finished_run(runs, {"bromley": {"new": 3, "unchanged": 1, "failed": 1}})
    killed = runs.start("update", {})
    assert runs.close_abandoned() == 1
    assert runs.get(killed).status == "killed"
    run = runs.get(first)
    assert [(s.council, s.stage, s.new, s.unchanged, s.failed, s.items) for s in run.stages] == [
        ("bromley", "crawl", 3, 1, 1, 4)
    ]
    assert [r.id for r in runs.recent(5)] == [killed, first]
    # only finished, successful runs count as history
    assert [s.items for s in runs.crawl_history("bromley", killed + 1, 5)] == [4]


def test_a_council_whose_site_answers_nothing_is_flagged_quiet(tmp_path):
    runs = Runs(Store(tmp_path / "s.db").conn)
    finished_run(runs, {"bromley": {"new": 10, "answered": 30}, "halton": {"new": 4, "answered": 9}})
    now = runs.start("update", {})
    # halton: an unchanged site, nothing new but every listing answered (304s)
    flags = health.assess(runs, now, rows({"bromley": {"answered": 0}, "halton": {"answered": 9}}))
    assert [(f.council, f.flag) for f in flags] == [("bromley", "went_quiet")]
    assert "answered none of our requests" in flags[0].message


def test_nights_with_nothing_new_on_an_unchanged_site_are_never_flagged(tmp_path):
    runs = Runs(Store(tmp_path / "s.db").conn)
    finished_run(runs, {"bromley": {"new": 10}})  # a row from before answers were counted
    for _ in range(3):
        finished_run(runs, {"bromley": {"answered": 12}})
        assert health.assess(runs, runs.start("update", {}), rows({"bromley": {"answered": 12}})) == []
    assert health.assess(runs, runs.start("update", {}), rows({"bromley": {"unchanged": 3}})) == []


@pytest.mark.parametrize(
    "history, now, usual",
    [
        # rows from before answers were counted: requests made are items plus failures
        (
            {"bromley": {"unchanged": 19, "failed": 1}, "halton": {"unchanged": 6, "failed": 4}},
            {"bromley": {"unchanged": 10, "failed": 10}, "halton": {"unchanged": 6, "failed": 4}},
            "5%",
        ),
        # answered vs failed requests: listings answer, nothing is new, every detail page now fails
        (
            {"bromley": {"answered": 40, "failed": 1}, "halton": {"answered": 40, "failed": 1}},
            {"bromley": {"answered": 8, "failed": 8}, "halton": {"answered": 39, "failed": 1}},
            "2%",
        ),
    ],
)
def test_failure_rate_jump_is_flagged_but_usual_flakiness_is_not(tmp_path, history, now, usual):
    runs = Runs(Store(tmp_path / "s.db").conn)
    for _ in range(3):
        finished_run(runs, history)
    flags = health.assess(runs, runs.start("update", {}), rows(now))
    assert [(f.council, f.flag) for f in flags] == [("bromley", "failures_jumped")]
    assert f"50% of requests failed this run, usually {usual}" in flags[0].message


def test_first_run_that_fails_entirely_is_flagged(tmp_path):
    runs = Runs(Store(tmp_path / "s.db").conn)
    now = runs.start("update", {})
    crawl = {
        "thurrock": {"failed": 7},
        "halton": {"new": 2},
        "bromley": {"failed": 1},
    }  # bromley: listings answered
    reason = "site unreachable: DNS lookup failed for democracy.thurrock.gov.uk"
    flags = health.assess(runs, now, rows(crawl), failed_councils={"thurrock": reason})
    assert [(f.council, f.flag) for f in flags] == [("thurrock", "failed_entirely")]
    assert reason in flags[0].message
    unexplained = health.assess(runs, now, rows(crawl), failed_councils={"thurrock": None})
    assert "answered none of our requests" in unexplained[0].message


def test_papers_runs_lists_runs_and_shows_one_with_flags(tmp_path):
    store = Store(tmp_path / "papers.sqlite3")
    runs = Runs(store.conn)
    first = finished_run(runs, {"bromley": {"new": 3}})
    second = runs.start("update", {})
    runs.stage(second, "bromley", "crawl", {"failed": 2}, 0.5, answered=0)
    runs.stage(second, "halton", "crawl", {}, 1.25, answered=9)  # an unchanged site: nothing new
    runs.stage(second, "*", "crawl", {"failed": 2}, 0.5)
    runs.flag(second, "bromley", "went_quiet", "bromley returned no items this run")
    runs.finish(second, "partial", 1, {})
    left_running = runs.start("update", {})
    store.close()
    cli_runner = CliRunner()
    listed = cli_runner.invoke(cli, ["--data-dir", str(tmp_path), "runs"])
    assert listed.exit_code == 0, listed.output
    header, _, *lines = listed.output.splitlines()  # the header, its rule, a run per line
    assert header.split() == ["id", "kind", "started", "status", "new", "changed", "failed", "flags"]
    assert lines[0].split()[:4] == [str(left_running), "update", lines[0].split()[2], "killed"]
    assert "!! bromley went_quiet" in lines[1] and lines[1].split()[3] == "partial"
    assert lines[2].split()[0] == str(first)
    shown = cli_runner.invoke(cli, ["--data-dir", str(tmp_path), "runs", str(second)])
    assert "!! CRAWL HEALTH bromley: bromley returned no items this run" in shown.output
    words = " ".join(shown.output.split())
    assert "bromley 0 0 0 2 0.5 (all)" in words  # crawl: new chg same fail, the council's seconds
    assert "nothing new, changed or failed at 1 councils: halton (1.2s)" in words
    missing = cli_runner.invoke(cli, ["--data-dir", str(tmp_path), "runs", "99"])
    assert missing.exit_code == 2


@pytest.mark.parametrize(
    "command",
    [
        ["check"],
        ["runs"],
        ["runs", "1"],
        ["watch", "list"],
        ["watch", "add", "roads", "highways"],
        ["watch", "remove", "roads"],
        ["reextract"],
    ],
)
def test_commands_on_a_missing_store_say_so_and_create_nothing(tmp_path, command):
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "typo"), *command])
    assert result.exit_code == 2, result.output
    assert (
        result.output.startswith(f"error: no store at {tmp_path / 'typo'}") and result.output.count("\n") == 1
    )
    assert not (tmp_path / "typo").exists()


def test_an_unknown_run_is_one_error_line(tmp_path):
    Store(tmp_path / "papers.sqlite3").close()
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "runs", "999"])
    assert result.exit_code == 2
    assert result.output == "error: no run 999 (see `papers runs`)\n"
