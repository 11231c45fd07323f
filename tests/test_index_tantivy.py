"""The embedded tantivy backend through index.service: ranking, every filter, facets, snippets, upserts."""

import pytest

from index import service
from index.backends.tantivy_backend import TantivyBackend
from index.query import parse
from index.store import Store
from papers.schema import ContractSummary
from tests.fixtures.index.records import record, sample_records, settings_for


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    settings = settings_for(tmp_path_factory.mktemp("tantivy"))
    service.index_records(settings, sample_records(), progress=False)
    return settings


def ids(settings, q, **kw) -> set[str]:
    return {hit["id"].split(":")[-1] for hit in service.search(settings, q, limit=50, **kw)["hits"]}


# (query, the sample records it must find): shared with the Elasticsearch tests, same answers.
QUERY_CASES = [
    ("fostering", {"1", "3", "5", "7"}),
    ("FOSTERING fostering", {"1", "3", "5", "7"}),
    ("awarding", {"1", "2"}),  # stemmed: award, awarded
    ("fostering -respite", {"1", "3", "7"}),
    ("respite OR highways", {"4", "5", "6"}),
    ('"contract extension"', {"3"}),
    ('"extension contract"', set()),
    ("extension contract", {"3"}),
    ('"care services" -"home care"', {"2"}),
    ("route:framework after:2019-01-01 fostering", {"1"}),
    ("council:camden", {"3", "4", "5"}),
    ("-council:camden -council:bromley", {"6", "7"}),
    ("council:camden OR council:leeds fostering", {"3", "5", "7"}),
    ("committee:cabinet", {"3", "4", "5"}),
    ('committee:"executive committee"', {"1", "2"}),
    ("maker:executive", {"1", "2"}),
    ('maker:"member for children"', {"1"}),
    ("type:minutes", {"5"}),
    ("route:dps", {"4"}),
    ("route:extension OR route:tender", {"2", "3"}),
    ("after:2020-01-01", {"2", "4", "5"}),
    ("after:2019-05-01 before:2019-05-02", {"1"}),
    ("before:2019-05-01", {"3"}),
    ("before:2019-10", {"1", "3", "6"}),  # a month-precision date counts from its first day
    ("year:2019", {"1", "6"}),
    ("year>=2020", {"2", "4", "5"}),
    ("value>=2m", {"1", "3"}),
    ("value>2.5m", {"3"}),
    ("value<500k", {"2"}),
    ("value>=1m value<=3m", {"1", "6"}),
    ("term>=36", {"1", "2", "6"}),
    ("term<3y", {"3"}),
    ("-fostering", {"2", "4", "6"}),
    ("category:85", {"1", "4"}),  # a division takes in every code under it
    ("category:8531", {"1"}),
    ("category:85311300-5", {"1"}),
    ("category:85000000", {"1", "4"}),  # padding zeros are the division
    ("category:9051 OR category:8531", {"1", "3"}),
    ("category:45", set()),
    ("supplier:veolia", {"3"}),
    ('supplier:"Veolia ES Ltd"', {"3"}),  # legal forms aside, the same supplier
    ('supplier:"ACME & Co"', {"1"}),
    ("supplier:biffa", set()),
    ("-supplier:veolia council:camden", {"4", "5"}),
    ("", {"1", "2", "3", "4", "5", "6", "7"}),
    ("zebra", set()),
]


@pytest.mark.parametrize(("q", "expected"), QUERY_CASES)
def test_queries_find_exactly(settings, q, expected):
    assert ids(settings, q) == expected
    assert service.search(settings, q)["total"] == len(expected)


def test_title_is_boosted_over_body(settings):
    hits = service.search(settings, "care")["hits"]
    assert {h["id"].split(":")[-1] for h in hits[:2]} == {"2", "4"}  # "care" in the title
    assert hits[-1]["id"].endswith(":5")  # "care" only in the body
    assert hits[0]["score"] >= hits[1]["score"] > hits[-1]["score"]


def test_facets_count_the_matches(settings):
    facets = service.search(settings, "fostering", limit=1)["facets"]
    assert facets == {
        "council": {"camden": 2, "bromley": 1, "leeds": 1},
        "type": {"decision_details": 2, "agenda_item": 1, "minutes": 1},
        "route": {"direct_award": 1, "extension": 1, "framework": 1},
        "year": {"2018": 1, "2019": 1, "2020": 1},
        # a category counts with its official description; a supplier by its normalised key
        "category": {
            "85311300-5 Welfare services for children and young people": 1,
            "90511000-2 Refuse collection services": 1,
        },
        "supplier": {"acme and co": 1, "veolia es": 1},
    }


def test_facets_can_be_skipped(settings):
    result = service.search(settings, "fostering", facets=False)
    assert result["facets"] == {} and result["total"] == 4


def test_snippets_highlight_and_escape(settings):
    hit = service.search(settings, "acme")["hits"][0]
    assert "&lt;<b>Acme</b> &amp; Co&gt;" in hit["snippet"]
    assert "<Acme" not in hit["snippet"]
    only_filter = service.search(settings, "council:bromley type:decision_details -care")["hits"][0]
    assert "&lt;Acme &amp; Co&gt;" in only_filter["snippet"] and "<b>" not in only_filter["snippet"]


def test_hits_carry_what_a_result_list_shows(settings):
    hit = service.search(settings, '"fostering framework"')["hits"][0]
    assert hit["id"] == "bromley:decision_details:1"
    assert hit["title"] == "Fostering framework award"
    assert hit["council"] == "bromley" and hit["decision_date"] == "2019-05-01"
    assert hit["url"] == "https://bromley.test/bromley:decision_details:1"
    assert hit["routes"] == ["framework"] and hit["annual_value"] == 2.5e6
    untitled = service.search(settings, "recruitment")["hits"][0]
    assert untitled["title"] == "leeds:agenda_item:7"  # no title: named after its source


def test_paging(settings):
    everything = [h["id"] for h in service.search(settings, "", limit=7)["hits"]]
    page = [h["id"] for h in service.search(settings, "", limit=3, offset=3)["hits"]]
    assert page == everything[3:6]
    assert service.search(settings, "", limit=0)["hits"] == []


def test_keys_for_contracts(settings):
    backend = service.backend_for(settings)
    assert len(backend.keys(parse(""))) == 7
    assert len(backend.keys(parse(""), contracts_only=True)) == 5
    assert len(backend.keys(parse("fostering"), contracts_only=True)) == 2


def test_indexing_twice_changes_no_count_and_upserts(tmp_path):
    settings = settings_for(tmp_path)
    first = service.index_records(settings, sample_records(), progress=False)
    assert first["loaded"] == {"new": 7, "changed": 0, "unchanged": 0}
    assert (first["indexed"], first["count"]) == (7, 7)
    again = service.index_records(settings, sample_records(), progress=False)
    assert again["loaded"] == {"new": 0, "changed": 0, "unchanged": 7}
    assert (again["indexed"], again["count"]) == (0, 7)

    edited = sample_records()
    edited[0] = record("bromley:decision_details:1", "Rewritten: libraries only.", title="Libraries")
    third = service.index_records(settings, edited, progress=False)
    assert third["loaded"]["changed"] == 1 and (third["indexed"], third["count"]) == (1, 7)
    assert ids(settings, "libraries") == {"1"}
    assert "1" not in ids(settings, "acme")
    assert service.backend_for(settings).ids() == {r.id for r in sample_records()}


def test_records_indexed_but_not_marked_are_replaced_not_duplicated(tmp_path):
    # A run killed after the index commit but before the store's marks: the next run re-sends the
    # records into a non-empty index, which must replace them (the fresh-load shortcut is off).
    settings = settings_for(tmp_path)
    service.index_records(settings, sample_records(), progress=False)
    with Store(settings.db_path) as store:
        store.mark_all_unindexed("tantivy")
    again = service.index_records(settings, progress=False)
    assert (again["indexed"], again["count"]) == (7, 7)


def test_rebuild_keeps_old_index_until_commit_and_refills_from_store(tmp_path):
    settings = settings_for(tmp_path)
    service.index_records(settings, sample_records(), progress=False)
    other = TantivyBackend(settings.index_dir)  # e.g. the web server's reader
    backend = service.backend_for(settings)
    backend.start_rebuild()
    assert other.count() == 7 and len(other.search(parse("fostering")).hits) == 4
    backend.close()  # abandon: nothing committed, nothing lost
    result = service.index_records(settings, rebuild=True, progress=False)
    assert (result["indexed"], result["count"]) == (7, 7)
    other.index.reload()
    assert other.count() == 7
    with Store(settings.db_path) as store:
        assert store.count_unindexed("tantivy") == 0


def test_a_deleted_index_folder_is_refilled_from_the_store(tmp_path):
    import shutil

    settings = settings_for(tmp_path)
    service.index_records(settings, sample_records(), progress=False)
    service._backends.clear()
    shutil.rmtree(settings.index_dir)
    result = service.index_records(settings, progress=False)
    assert (result["indexed"], result["count"]) == (7, 7)
    assert ids(settings, "fostering") == {"1", "3", "5", "7"}


def test_delete_removes_records(tmp_path):
    settings = settings_for(tmp_path)
    service.index_records(settings, sample_records(), progress=False)
    backend = service.backend_for(settings)
    backend.delete(["camden:minutes:5"])
    backend.commit()
    assert backend.count() == 6 and ids(settings, "fostering") == {"1", "3", "7"}
    assert backend.ids() == {r.id for r in sample_records()} - {"camden:minutes:5"}


def test_a_second_writer_is_refused_with_exit_3(tmp_path):
    from papers.errors import EXIT_LOCKED, UserError

    settings = settings_for(tmp_path)
    service.index_records(settings, sample_records(), progress=False)
    holder = TantivyBackend(settings.index_dir)
    holder.delete(["nothing"])  # holds the writer lock until commit or close
    with pytest.raises(UserError) as info:
        TantivyBackend(settings.index_dir).add(sample_records()[:1])
    assert info.value.exit_code == EXIT_LOCKED and "another process" in str(info.value)
    holder.close()


def test_an_index_that_lost_records_is_refilled(tmp_path):
    settings = settings_for(tmp_path)
    service.index_records(settings, sample_records(), progress=False)
    backend = service.backend_for(settings)
    backend.delete(["camden:minutes:5", "leeds:report:6"])  # e.g. commits lost behind the store's back
    backend.commit()
    result = service.index_records(settings, progress=False)
    assert (result["indexed"], result["count"]) == (7, 7)
    assert ids(settings, "fostering") == {"1", "3", "5", "7"}


def test_facet_counts_are_cached_per_query_until_the_index_changes(tmp_path):
    settings = settings_for(tmp_path)
    service.index_records(settings, sample_records(), progress=False)
    backend = service.backend_for(settings)
    first = service.search(settings, "fostering", limit=1)
    first["facets"]["council"]["camden"] = 99  # a caller's edit must not reach the cache
    # The same clauses in another order, repeated or spaced: one entry, the same counts.
    again = service.search(settings, "fostering  FOSTERING", limit=1, offset=1)
    assert again["facets"]["council"] == {"camden": 2, "bromley": 1, "leeds": 1}
    assert again["total"] == 4 and len(backend.facet_cache._entries) == 1

    # An update in this process: counts and totals follow it at once.
    added = record("camden:decision_details:8", "Fostering recruitment drive.", decision_date="2021-02-01")
    service.index_records(settings, [added], progress=False)
    after = service.search(settings, "fostering", limit=1)
    assert after["total"] == 5
    assert after["facets"]["council"] == {"camden": 3, "bromley": 1, "leeds": 1}
    assert after["facets"]["year"]["2021"] == 1


def test_cached_counts_follow_a_commit_by_another_process(tmp_path):
    settings = settings_for(tmp_path)
    service.index_records(settings, sample_records(), progress=False)
    reader = TantivyBackend(settings.index_dir)  # e.g. a web worker, with its cache warm
    assert reader.search(parse("fostering")).facets["council"]["camden"] == 2
    assert reader.search(parse("fostering"), offset=2).total == 4
    writer = service.backend_for(settings)
    writer.delete(["camden:decision_details:3"])
    writer.commit()
    fresh = reader.search(parse("fostering"), offset=2)
    assert fresh.total == 3 and fresh.facets["council"] == {"camden": 1, "bromley": 1, "leeds": 1}
    assert len(fresh.hits) == 1  # hits and counts from the same commit


def test_counts_from_an_older_generation_are_never_filed(tmp_path):
    settings = settings_for(tmp_path)
    service.index_records(settings, sample_records(), progress=False)
    cache = service.backend_for(settings).facet_cache
    old = cache.check(service.backend_for(settings).index)
    service.index_records(settings, [record("leeds:minutes:9", "Fostering.")], progress=False)
    new = cache.check(service.backend_for(settings).index)
    assert new != old
    cache.put(old, ("k",), 1, {"council": {"x": 1}})
    assert cache.get(new, ("k",)) is None and cache.get(old, ("k",)) is None
    cache.put(new, ("k",), 1, {"council": {"x": 1}})
    assert cache.get(new, ("k",)) == (1, {"council": {"x": 1}})


@pytest.mark.parametrize("rebuild", [True, False])
def test_a_rebuild_or_first_load_stages_its_marks_and_a_killed_one_leaves_no_claim(
    tmp_path, monkeypatch, rebuild
):
    # Both commit once, at the end (no list of every id held meanwhile): until then the store
    # claims nothing is indexed, and a killed one is redone in full by the next run.
    settings = settings_for(tmp_path)
    if rebuild:
        service.index_records(settings, sample_records(), progress=False)
    else:
        with Store(settings.db_path) as store:
            store.put_records(sample_records())
    backend = service.backend_for(settings)
    staged_during = []

    def failing_commit():
        with Store(settings.db_path) as store:  # marks so far are staged, none claimed as indexed
            staged_during.append((store.count_indexed("tantivy"), store.count_indexed("tantivy:rebuild")))
        raise OSError("disk full")

    monkeypatch.setattr(backend, "commit", failing_commit)
    with pytest.raises(OSError):
        service.index_records(settings, rebuild=rebuild, progress=False)
    assert staged_during == [(0, 7)]
    monkeypatch.undo()
    backend.close()
    result = service.index_records(settings, rebuild=rebuild, progress=False)
    assert (result["indexed"], result["count"]) == (7, 7)
    with Store(settings.db_path) as store:
        assert store.count_unindexed("tantivy") == 0
        assert store.count_indexed("tantivy") == 7 and store.count_indexed("tantivy:rebuild") == 0


def test_a_word_in_most_records_is_counted_exactly_by_its_complement(tmp_path):
    settings = settings_for(tmp_path)
    records = [
        record(
            f"{council}:minutes:{n}",
            ("The council approved the budget." if n % 4 else "Budget approved.") + f" Item {n}.",
            decision_date=f"{2018 + n % 3}-05-01",
        )
        for n, council in enumerate(["barnet", "camden", "leeds"] * 4)
    ]
    service.index_records(settings, records, progress=False)
    backend = service.backend_for(settings)

    def expected(word: str, kept: list) -> tuple[int, dict, dict]:
        found = [r for r in kept if word in r.text.lower()]
        councils, years = {}, {}
        for r in found:
            councils[r.council] = councils.get(r.council, 0) + 1
            years[r.decision_date[:4]] = years.get(r.decision_date[:4], 0) + 1
        return len(found), councils, years

    def counted(q: str) -> tuple[int, dict, dict]:
        backend.facet_cache.clear()  # the query's own counts, not a kept copy
        result = service.search(settings, q, limit=1)
        return result["total"], result["facets"]["council"], result["facets"]["year"]

    searcher = backend.index.searcher()
    assert 2 * backend._at_least(searcher, parse("council")) > searcher.num_docs  # the complement side
    assert 2 * backend._at_least(searcher, parse("council -budget")) <= searcher.num_docs
    assert (
        counted("council")
        == expected("council", records)
        == (9, {"barnet": 3, "camden": 3, "leeds": 3}, {"2018": 3, "2019": 3, "2020": 3})
    )
    assert counted("") == (12, {"barnet": 4, "camden": 4, "leeds": 4}, {"2018": 4, "2019": 4, "2020": 4})
    # The index-wide counts belong to one commit: after another, they are made again.
    gone = {"camden:minutes:1", "leeds:minutes:2"}
    backend.delete(gone)
    backend.commit()
    assert (
        counted("council")
        == expected("council", [r for r in records if r.id not in gone])
        == (7, {"barnet": 3, "camden": 2, "leeds": 2}, {"2018": 3, "2019": 2, "2020": 2})
    )


def test_keys_of_a_query_matching_most_of_its_scope_are_exact_and_follow_commits(tmp_path):
    from index.documents import record_key

    settings = settings_for(tmp_path)
    valued = ContractSummary(annual_value=1.0)
    records = [
        record(f"leeds:report:{n}", "Waste contract." if n % 5 else "Library hours.", contract=valued)
        for n in range(10)
    ] + [record("leeds:minutes:99", "Waste strategy.")]  # no contract: outside contracts_only
    service.index_records(settings, records, progress=False)
    backend = service.backend_for(settings)

    def keys(q: str) -> set[int]:
        return set(backend.keys(parse(q), contracts_only=True))

    waste = {record_key(r.id) for r in records[:10] if "Waste" in r.text}
    assert keys("waste") == waste and len(waste) == 8  # 8 of 10 contracts: read by complement
    assert keys("library") == {record_key("leeds:report:0"), record_key("leeds:report:5")}
    assert len(backend.keys(parse("waste"))) == 9
    backend.delete(["leeds:report:1"])
    backend.commit()
    assert keys("waste") == waste - {record_key("leeds:report:1")}
    backend.add([record("leeds:report:11", "Waste contract.", contract=valued)])
    backend.commit()
    assert keys("waste") == (waste - {record_key("leeds:report:1")}) | {record_key("leeds:report:11")}


def test_title_words_and_phrases_match_without_a_phrase_spanning_title_and_body(tmp_path):
    # The title is indexed as a second value of the body (to_document): it matches there alone.
    settings = settings_for(tmp_path)
    records = [
        record("leeds:minutes:1", "Members noted the report.", title="Allotment rents"),
        record("leeds:minutes:2", "Allotment rents were noted.", title="Minutes"),
        record("leeds:minutes:3", "", title="Allotment rents"),
    ]
    service.index_records(settings, records, progress=False)
    assert ids(settings, "allotment") == {"1", "2", "3"}
    assert ids(settings, '"allotment rents"') == {"1", "2", "3"}
    assert ids(settings, '"report allotment"') == set()  # the text's end and the title after it
    hits = {h["id"]: h for h in service.search(settings, "noted", limit=10)["hits"]}
    assert "Allotment" not in hits["leeds:minutes:1"]["snippet"]  # the snippet is the page's text
    plain = {h["id"]: h for h in service.search(settings, "", limit=10)["hits"]}
    assert plain["leeds:minutes:3"]["snippet"] == "" and plain["leeds:minutes:1"]["snippet"].startswith(
        "Members"
    )
    # Ranked by the title's boost: the word in the title scores above the word in the text.
    ranked = [h["id"] for h in service.search(settings, "allotment", limit=10)["hits"]]
    assert ranked.index("leeds:minutes:2") == 2


def test_a_first_load_indexes_each_record_once_as_it_stores_it(tmp_path, monkeypatch):
    import index.store as store_module

    monkeypatch.setattr(store_module, "LOAD_BATCH", 2)
    settings = settings_for(tmp_path)
    recs = sample_records()
    # The first record again, changed, in a later batch: its first copy must leave the index.
    edited = record(recs[0].id, "Rewritten: libraries only.", title="Libraries")
    result = service.index_records(settings, [*recs, edited], progress=False)
    assert result["loaded"] == {"new": 7, "changed": 1, "unchanged": 0}
    assert (result["indexed"], result["count"]) == (8, 7)  # nothing was left for the queue
    assert service.backend_for(settings).ids() == {r.id for r in recs}
    assert ids(settings, "libraries") == {"1"} and "1" not in ids(settings, "acme")
    with Store(settings.db_path) as store:
        marks = dict(store.conn.execute("SELECT id, sha256 FROM index_marks WHERE backend = 'tantivy'"))
        assert marks == dict(store.conn.execute("SELECT id, sha256 FROM records"))
        assert store.count_indexed("tantivy:rebuild") == 0


def test_a_record_refused_during_a_first_load_is_sent_again_from_the_queue(tmp_path, monkeypatch):
    settings = settings_for(tmp_path)
    backend = service.backend_for(settings)
    target = sample_records()[2].id
    add, state = backend.add, {"refused": {}, "tries": 0}

    def add_refusing_once(records, fresh=False):
        records = list(records)
        if target in {r.id for r in records}:
            state["tries"] += 1
            if state["tries"] == 1:  # as Elasticsearch refuses one document of a bulk request
                state["refused"] = {target: "busy"}
                records = [r for r in records if r.id != target]
        return add(records, fresh)

    def refused():
        answer, state["refused"] = state["refused"], {}
        return answer

    monkeypatch.setattr(backend, "add", add_refusing_once)
    monkeypatch.setattr(backend, "refused", refused)
    result = service.index_records(settings, sample_records(), progress=False)
    assert result["count"] == 7 and backend.ids() == {r.id for r in sample_records()}
    assert state["tries"] == 2  # refused while loading, taken from the queue after
    with Store(settings.db_path) as store:
        assert store.count_unindexed("tantivy") == 0
