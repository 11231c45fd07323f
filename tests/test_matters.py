"""Matters: the pages about one decision make one contract row, with each term from its best source."""

import pytest

from index import service
from index.matters import group, page_links, title_key
from index.store import Store
from papers.pipeline.job import UpdateJob
from papers.schema import ContractSummary, Document, Money
from papers.settings import Settings
from tests.fixtures.index.records import record, settings_for, supplier


def document(doc_id: str, page_type: str, body: str = "", **ids) -> Document:
    council = doc_id.split(":")[0]
    return Document(
        id=doc_id,
        council=council,
        platform="moderngov",
        page_type=page_type,
        url=f"https://{council}.test/{doc_id}",
        platform_ids=ids,
        body=body,
    )


def valued(rid: str, text: str, amount: float, **kw):
    """A record stating a contract value in ``text``, read from its first £ figure."""
    at = text.index("£")
    end = text.index(" ", at)
    kw.setdefault("contract", ContractSummary(total_value=amount, value_amount=amount, value_per="total"))
    return record(
        rid,
        text,
        money=[Money(text=text[at:end], start=at, end=end, amount=amount, is_contract_value=True)],
        **kw,
    )


HALTON_REPORT = "The joint procurement with Barnardo's will cost £900000 over two years."


def halton() -> tuple[list[Document], list]:
    """Halton's missing-from-home procurement as the snapshot has it: an agenda item, its report
    PDF and the minutes of the meeting, plus a decision on another matter the same day."""
    docs = [
        document("hal:agenda_item:27001", "agenda_item", item="27001", meeting="9003", committee="503"),
        document("hal:meeting:9003", "minutes", meeting="9003", committee="503"),
        document("hal:decision_details:712", "decision_details", decision="712"),
    ]
    common = {"decision_date": "2018-01-18", "council_name": "Halton"}
    records = [
        record(
            "hal:agenda_item:27001",
            "Request to lead the joint procurement of missing from home services. Term 24 months.",
            title="Request to lead the joint procurement of Missing from Home services",
            page_type="agenda_item",
            document_id="hal:agenda_item:27001",
            contract=ContractSummary(term_months=24, procurement_method="open"),
            **common,
        ),
        valued(
            "hal:agenda_item:27001/12c5687e410f",
            HALTON_REPORT,
            900_000,
            title="Missing from Home Preliminary Report",
            page_type="report",
            document_id="hal:agenda_item:27001",
            suppliers=[supplier(HALTON_REPORT, "Barnardo's", "barnardos")],
            contract=ContractSummary(total_value=900_000, term_months=24, annual_value=450_000),
            **common,
        ),
        valued(
            "hal:meeting:9003",
            "Minutes. RESOLVED: the procurement of services at £950000 be approved.",
            950_000,
            title="Executive Board - Thursday, 18 January, 2018",
            page_type="minutes",
            document_id="hal:meeting:9003",
            contract=ContractSummary(total_value=950_000),
            **common,
        ),
        valued(
            "hal:decision_details:712",
            "Highways improvement contract award at £3000000 a year.",
            3e6,
            title="Highways Improvement Contract Award",
            page_type="decision_details",
            document_id="hal:decision_details:712",
            decision_date="2022-06-16",
            contract=ContractSummary(annual_value=3e6, term_months=36),
        ),
    ]
    return docs, records


def halton_settings(folder) -> Settings:
    """A data directory holding halton(): its pages crawled, then its records stored and indexed."""
    settings = settings_for(folder)
    docs, records = halton()
    with Store(settings.ensure().db_path) as store:
        for doc in docs:
            store.put_document(doc)
    service.index_records(settings, records, progress=False)
    return settings


@pytest.fixture()
def settings(tmp_path):
    return halton_settings(tmp_path)


def test_the_pages_of_one_procurement_are_one_row(settings):
    by_record = service.contracts(settings, by_record=True)
    matters = service.contracts(settings)
    assert by_record["total"] == 4 and matters["total"] == 2  # fewer rows than records with terms
    row = next(r for r in matters["rows"] if r["id"].startswith("hal:agenda_item:27001"))
    # the report outranks the agenda item and the minutes; the decision on highways is its own
    assert row["id"] == "hal:agenda_item:27001/12c5687e410f" and row["page_type"] == "report"
    assert row["records"] == [
        "hal:agenda_item:27001/12c5687e410f",
        "hal:agenda_item:27001",
        "hal:meeting:9003",
    ]
    assert (row["total_value"], row["annual_value"], row["term_months"]) == (900_000, 450_000, 24)
    assert row["procurement_method"] == "open"  # only the agenda item states it
    at = HALTON_REPORT.index("£")
    assert row["sources"]["value"] == {"record": row["id"], "start": at, "end": at + 7}
    assert row["sources"]["route"] == {"record": "hal:agenda_item:27001"}  # no span: the record alone
    assert [s["name"] for s in row["suppliers"]] == ["Barnardo's"]
    assert row["suppliers"][0]["record"] == row["id"]
    # the minutes say £950,000 where the report says £900,000
    assert row["conflicts"] == ["value"]
    assert row["title"] == "Missing from Home Preliminary Report"


def test_an_annual_value_counts_once_per_matter(settings):
    by_record = service.contracts(settings, group_by="council", by_record=True)["groups"][0]
    by_matter = service.contracts(settings, group_by="council")["groups"][0]
    assert (by_record["count"], by_record["known"]) == (4, 2)
    assert (by_matter["count"], by_matter["known"], by_matter["unknown"]) == (2, 2, 0)
    assert (by_matter["q1"], by_matter["q3"]) == (1_087_500.0, 2_362_500.0)  # 450k and 3m, once each


def test_a_query_matching_one_page_brings_the_whole_matter(settings):
    result = service.contracts(settings, "RESOLVED")  # only the minutes say it
    assert [r["id"] for r in result["rows"]] == ["hal:agenda_item:27001/12c5687e410f"]
    assert len(result["rows"][0]["records"]) == 3
    assert service.contracts(settings, "supplier:barnardos")["total"] == 1
    assert service.contracts(settings, "supplier:serco")["rows"] == []


def test_minutes_of_a_meeting_with_two_contract_items_stay_apart(settings):
    other = valued(
        "hal:agenda_item:27002",
        "Leisure centre management contract, £200000 a year.",
        200_000,
        title="Leisure centre management contract",
        page_type="agenda_item",
        document_id="hal:agenda_item:27002",
        decision_date="2018-01-18",
    )
    with Store(settings.db_path) as store:
        store.put_document(document("hal:agenda_item:27002", "agenda_item", item="27002", meeting="9003"))
    service.index_records(settings, [other], progress=False)
    rows = service.contracts(settings)["rows"]
    assert len(rows) == 4
    assert ["hal:meeting:9003"] in [r["records"] for r in rows]


def test_decision_and_issue_pages_join_through_their_links(tmp_path):
    store = Store(tmp_path / "s.db")
    body = '<a href="mgIssueHistoryHome.aspx?IId=44&amp;Opt=0">Issue history</a>'
    store.put_document(document("x:decision_details:9", "decision_details", body, decision="9"))
    store.put_document(document("x:issue_details:44", "issue_details", issue="44"))
    store.put_records(
        [
            record(
                "x:issue_details:44",
                "t",
                page_type="issue_details",
                document_id="x:issue_details:44",
                title="Waste contract",
                contract=ContractSummary(term_months=60, annual_value=2e6),
            ),
            record(
                "x:decision_details:9",
                "t",
                page_type="decision_details",
                document_id="x:decision_details:9",
                title="Award of the waste contract",
                decision_date="2020-01-01",
                contract=ContractSummary(term_months=84),
            ),
        ]
    )
    rows = store.contract_rows(fields=("id", "links", "meeting"))
    assert [(r["links"], r["meeting"]) for r in rows] == [("issue:44", None), ("decision:9 issue:44", None)]
    merged = group(
        store.contract_rows(fields=("id", "council", "title", "decision_date", "links", "meeting"))
    )
    assert len(merged) == 1


def test_records_without_pages_fall_back_on_council_title_and_date():
    rows = [
        {
            "id": "a",
            "council": "x",
            "title": "11. Grounds Maintenance Contract",
            "decision_date": "2020-01-01",
        },
        {"id": "b", "council": "x", "title": "Grounds maintenance contract", "decision_date": "2020-01-01"},
        {"id": "c", "council": "y", "title": "Grounds maintenance contract", "decision_date": "2020-01-01"},
        {"id": "d", "council": "x", "title": "Grounds maintenance contract", "decision_date": "2021-01-01"},
        {"id": "e", "council": "x", "title": "Decision", "decision_date": "2020-01-01"},
        {"id": "f", "council": "x", "title": "Cabinet decision", "decision_date": "2020-01-01"},
        {"id": "g", "council": "x", "title": "Cabinet decision", "decision_date": "2020-01-01"},
    ]
    assert sorted(sorted(r["id"] for r in m) for m in group(rows)) == [
        ["a", "b"],
        ["c"],
        ["d"],
        ["e"],
        ["f"],
        ["g"],
    ]
    assert (
        title_key("Appendix 2") is None
        and title_key("9 Gateway 1 - Leasehold works") == "gateway 1 leasehold works"
    )


def test_page_links_of_each_kind_of_page():
    assert page_links("agenda_item", {"item": "5", "meeting": "9", "committee": "1"}, "") == ("item:5", "9")
    # a meeting's page links every item on its agenda: only its meeting is kept
    body = '<a href="ieDecisionDetails.aspx?ID=3">x</a>'
    assert page_links("minutes", {"meeting": "9", "committee": "1"}, body) == ("", "9")
    assert page_links("decision_details", {"decision": "3"}, '<a href="mgAi.aspx?ID=8">next</a>') == (
        "decision:3",
        None,
    )
    assert page_links("other", {}, body) == ("", None)


def test_a_store_of_the_old_layout_gets_its_contract_rows_and_links_again(tmp_path):
    settings = halton_settings(tmp_path)
    with Store(settings.db_path) as store:  # the contracts table as version 1.0 of the store made it
        store.conn.execute("DROP TABLE contracts")
        store.conn.execute(
            "CREATE TABLE contracts (key INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, council TEXT, title TEXT)"
        )
    with Store(settings.db_path) as store:
        rows = store.contract_rows(fields=("id", "links", "meeting"))
    assert {r["id"]: (r["links"], r["meeting"]) for r in rows} == {
        "hal:agenda_item:27001": ("item:27001", "9003"),
        "hal:agenda_item:27001/12c5687e410f": ("item:27001", "9003"),
        "hal:meeting:9003": ("", "9003"),
        "hal:decision_details:712": ("decision:712", None),
    }
    assert service.contracts(settings)["total"] == 2


def test_matters_kept_between_calls_follow_every_change_to_the_store(settings):
    assert service.contracts(settings, limit=0)["total"] == 2
    assert service.contracts(settings, limit=0)["total"] == 2  # the second call reads the kept matters
    later = record(
        "hal:decision_details:800", "t", title="Library contract", contract=ContractSummary(term_months=12)
    )
    service.index_records(settings, [later], progress=False)
    assert service.contracts(settings, limit=0)["total"] == 3
    with Store(settings.db_path) as store:
        store.delete_records(["hal:decision_details:800"])
    assert service.contracts(settings, limit=0)["total"] == 2
    # the store file replaced by another under the same name
    settings.db_path.unlink()
    for suffix in ("-wal", "-shm"):
        settings.db_path.with_name(settings.db_path.name + suffix).unlink(missing_ok=True)
    service.index_records(settings, [later], progress=False)
    assert service.contracts(settings, limit=0)["total"] == 1


def test_on_the_snapshot_halton_is_one_matter_and_counts_once(tmp_path):
    """The bundled snapshot's Halton procurement: a report, its agenda item and the minutes."""
    settings = settings_for(tmp_path)
    assert UpdateJob(settings).update(councils=["HAL"], snapshot=True)["exit_code"] == 0
    by_record = service.contracts(settings, by_record=True)
    matters = service.contracts(settings)
    assert matters["total"] < by_record["total"]  # fewer rows than records with contract terms
    (missing,) = [r for r in matters["rows"] if "27001" in r["id"]]
    assert set(missing["records"]) == {"HAL:agenda_item:27001", "HAL:meeting:9003", missing["id"]}
    assert missing["page_type"] == "report"  # the report PDF is the best of the three sources
    group = service.contracts(settings, group_by="council")["groups"][0]
    assert group["count"] == matters["total"] and group["known"] == sum(
        r["annual_value"] is not None for r in matters["rows"]
    )


def test_a_record_key_picks_its_whole_matter_and_unknown_keys_pick_nothing():
    from index.documents import record_key

    matters = service._Matters([{"records": ["a:1", "a:2"]}, {"records": ["b:1"]}, {"records": ["c:1"]}])
    assert matters.select([record_key("a:2")]).tolist() == [True, False, False]
    assert matters.select([record_key("c:1"), record_key("zz:9"), 0]).tolist() == [False, False, True]
    assert matters.select([]).tolist() == [False] * 3
    assert matters.select(None).tolist() == [True] * 3
    assert service._Matters([]).select([record_key("a:1")]).tolist() == []
