"""Saved searches: a bad query is refused, new matches alert once, and each watch has an Atom feed."""

import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from index.query import QueryError
from index.service import index_records
from index.store import Store
from papers.cli import cli
from papers.pipeline.watches import Watches, feed_path
from papers.schema import Record
from papers.settings import Settings

ATOM = "{http://www.w3.org/2005/Atom}"


def record(i: int, text: str) -> Record:
    return Record(
        id=f"bromley:decision_details:{i}",
        source=f"https://example.test/{i}",
        council="bromley",
        url=f"https://example.test/ieDecisionDetails.aspx?ID={i}",
        title=f"Decision {i}",
        text=text,
    )


@pytest.fixture
def settings(tmp_path) -> Settings:
    s = Settings(data_dir=tmp_path).ensure()
    index_records(
        s, [record(1, "Fostering framework agreement"), record(2, "Highways resurfacing")], progress=False
    )
    return s


def test_watch_alerts_only_on_matches_it_has_not_seen(settings):
    with Store(settings.db_path) as store:
        watches = Watches(settings, store)
        watch, baseline = watches.add("fostering", "fostering")
        assert baseline == 1  # record 1 already matched: remembered, not alerted
        assert watches.check(watch, run_id=1) == []
        index_records(
            settings,
            [record(3, "A new fostering contract"), record(1, "Fostering framework, revised")],
            progress=False,
        )
        new = watches.check(watch, run_id=2)
        assert [h["id"] for h in new] == ["bromley:decision_details:3"]  # the edited record 1 is not new
        assert watches.check(watch, run_id=3) == []
        assert [a["id"] for a in watches.alerts("fostering")] == ["bromley:decision_details:3"]

    feed = ET.parse(feed_path(settings, "fostering")).getroot()
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}id") == "urn:committee-papers:watch:fostering"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Decision 3"]
    assert entries[0].find(f"{ATOM}link").get("href") == "https://example.test/ieDecisionDetails.aspx?ID=3"
    assert entries[0].findtext(f"{ATOM}id") == "urn:committee-papers:record:bromley:decision_details:3"


def test_watch_refuses_bad_queries_names_and_duplicates(settings):
    with Store(settings.db_path) as store:
        watches = Watches(settings, store)
        with pytest.raises(QueryError):
            watches.add("money", "value>=oops")
        with pytest.raises(Exception, match="bad watch name"):
            watches.add("../etc", "fostering")
        watches.add("fostering", "fostering")
        with pytest.raises(Exception, match="exists"):
            watches.add("fostering", "care")
        assert [w.name for w in watches.list()] == ["fostering"]


def test_watch_commands(settings):
    runner = CliRunner()
    base = ["--data-dir", str(settings.data_dir), "watch"]
    bad = runner.invoke(cli, [*base, "add", "money", "value>=oops"])
    assert bad.exit_code == 2 and len(bad.output.strip().splitlines()) == 1 and "error:" in bad.output
    added = runner.invoke(cli, [*base, "add", "roads", "highways OR resurfacing"])
    assert added.exit_code == 0 and "1 documents match now" in added.output
    listed = runner.invoke(cli, [*base, "list", "--json"])
    assert '"name": "roads"' in listed.output and '"query": "highways OR resurfacing"' in listed.output
    assert runner.invoke(cli, [*base, "remove", "roads"]).exit_code == 0
    assert runner.invoke(cli, [*base, "remove", "roads"]).exit_code == 2
    assert "no saved searches" in runner.invoke(cli, [*base, "list"]).output


def watched(tmp_path, *watches: tuple[str, str]) -> Settings:
    """A store whose first document is extracted and indexed, these watches added, then a second
    document stored (a new match for a fostering watch, once an update extracts it)."""
    from papers.pipeline.job import UpdateJob
    from tests.test_update import document, store_docs

    settings = Settings(data_dir=tmp_path).ensure()
    settings.files_dir.mkdir()
    store_docs(settings, [document(settings, 1, attachments=0)])
    UpdateJob(settings).reextract()
    with Store(settings.db_path) as store:
        for name, query in watches:
            Watches(settings, store).add(name, query)
    store_docs(settings, [document(settings, 2, attachments=0)])
    return settings


def test_each_update_reports_new_matches_per_watch_in_summary_runs_and_feed(tmp_path):
    from papers.pipeline.job import UpdateJob

    settings = watched(tmp_path, ("fostering", "fostering framework"), ("nothing", "zebra"))
    summary = UpdateJob(settings).reextract()
    assert summary["watches"]["fostering"]["new"] == 1
    assert [m["id"] for m in summary["watches"]["fostering"]["matches"]] == ["bromley:decision_details:2"]
    assert summary["watches"]["nothing"]["new"] == 0
    shown = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "runs", str(summary["run_id"])])
    assert "watch fostering: 1 new matches" in shown.output and "+ Decision 2" in shown.output
    entries = ET.parse(feed_path(settings, "fostering")).getroot().findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Decision 2"]
    assert UpdateJob(settings).reextract()["watches"]["fostering"]["new"] == 0


def test_a_watch_broader_than_the_search_offset_ceiling_adds_and_alerts(settings, monkeypatch):
    """Issue 17 item 5: watches do not page by offset, so the service's offset ceiling (10,000
    hits; here shrunk to 3 with pages of 2) never stops them."""
    import index.service
    from papers.pipeline import watches as watches_module

    monkeypatch.setattr(index.service, "MAX_SEARCH_OFFSET", 3)
    monkeypatch.setattr(watches_module, "PAGE", 2)
    index_records(settings, [record(i, f"Fostering placement {i}") for i in range(10, 20)], progress=False)
    with Store(settings.db_path) as store:
        watches = Watches(settings, store)
        watch, baseline = watches.add("fostering", "fostering")
        assert baseline == 11
        index_records(
            settings, [record(i, f"Fostering placement {i}") for i in range(20, 28)], progress=False
        )
        new = watches.check(watch, run_id=1)
    assert sorted(h["id"] for h in new) == [f"bromley:decision_details:{i}" for i in range(20, 28)]
    assert all(h["title"] and h["url"] and "ostering" in h["snippet"] for h in new)


def test_alerts_of_a_killed_run_are_reported_by_the_run_that_finally_reports_them(tmp_path):
    from papers.pipeline.job import UpdateJob
    from papers.pipeline.runs import Runs

    settings = watched(tmp_path, ("fostering", "fostering framework"))
    with Store(settings.db_path) as store:  # a run extracts and indexes record 2, records its alert,
        UpdateJob(settings).reextract()  # (this run reports it: undo that, as if it never had)
        store.conn.execute("DELETE FROM watch_matches WHERE record_id = 'bromley:decision_details:2'")
        killed = Runs(store.conn).start("update", {})  # ... then a run records it and is killed
        watches = Watches(settings, store)
        assert [h["id"] for h in watches.check(watches.get("fostering"), killed)] == [
            "bromley:decision_details:2"
        ]
    summary = UpdateJob(settings).reextract()  # marks the killed run so, and reports its alert
    assert [m["id"] for m in summary["watches"]["fostering"]["matches"]] == ["bromley:decision_details:2"]
    with Store(settings.db_path) as store:
        assert Runs(store.conn).get(killed).status == "killed"
        assert [a["run_id"] for a in Watches(settings, store).alerts("fostering")] == [summary["run_id"]]
