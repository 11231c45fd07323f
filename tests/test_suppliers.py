"""Who holds the contracts: `papers suppliers`, contracts grouped by supplier and by CPV category."""

import csv
import io
import json

import pytest
from click.testing import CliRunner

from index import service
from index.backends.tantivy_backend import INDEX_VERSION, META_FILE, TantivyBackend
from index.matters import supplier_rows
from papers.cli import cli
from papers.schema import ContractSummary
from tests.fixtures.index.records import record, sample_records, settings_for, supplier

LATER = "Veolia ES (UK) Ltd are awarded the street cleansing contract."


def records():
    """The sample records plus a second Camden matter for Veolia, under another spelling."""
    return [
        *sample_records(),
        record(
            "camden:decision_details:8",
            LATER,
            title="Street cleansing award",
            page_type="decision_details",
            decision_date="2022-04-01",
            suppliers=[supplier(LATER, "Veolia ES (UK) Ltd", "veolia es")],
            contract=ContractSummary(annual_value=700_000, total_value=2_100_000, term_months=36),
        ),
    ]


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    settings = settings_for(tmp_path_factory.mktemp("suppliers"))
    service.index_records(settings, records(), progress=False)
    return settings


def run(settings, *args):
    return CliRunner().invoke(cli, ["--data-dir", str(settings.data_dir), *args])


def test_one_row_per_supplier_key(settings):
    result = service.suppliers(settings)
    assert result["total"] == 2
    veolia, acme = result["suppliers"]
    assert veolia == {
        "key": "veolia es",
        "name": "Veolia ES (UK) Limited",  # ties between spellings: the first seen
        "councils": ["camden"],
        "matters": 2,
        "total_value": 2_100_000,  # the waste extension states no total: only the known one
        "annual_value": 11_000_000,
        "first_decision": "2018-03-15",
        "last_decision": "2022-04-01",
    }
    assert acme["key"] == "acme and co" and acme["matters"] == 1 and acme["councils"] == ["bromley"]
    assert service.suppliers(settings, "year:2022")["suppliers"][0]["matters"] == 1
    assert service.suppliers(settings, "supplier:serco") == {"total": 0, "suppliers": []}


def test_supplier_rows_count_a_matter_once_whatever_its_spellings():
    matter = {
        "council": "x",
        "decision_date": None,
        "total_value": None,
        "annual_value": 5.0,
        "suppliers": [{"key": "a", "name": "A Ltd"}, {"key": "b", "name": "B"}],
    }
    rows = supplier_rows([matter, {**matter, "suppliers": [{"key": "a", "name": "A Limited"}]}])
    assert [(r["key"], r["matters"], r["annual_value"]) for r in rows] == [("a", 2, 10.0), ("b", 1, 5.0)]


def test_group_by_supplier_and_category(settings):
    by_supplier = {g["group"]: g for g in service.contracts(settings, group_by="supplier")["groups"]}
    assert by_supplier["veolia es"] == {
        "group": "veolia es",
        "count": 2,
        "known": 2,
        "unknown": 0,
        "q1": 3_100_000.0,
        "median": 5_500_000.0,
        "q3": 7_900_000.0,
        "label": "Veolia ES (UK) Limited",
    }
    assert by_supplier["(unknown)"]["count"] == 3
    by_category = {g["group"]: g for g in service.contracts(settings, group_by="category")["groups"]}
    assert set(by_category) == {"85311300-5", "90511000-2", "85000000-9", "(unknown)"}
    assert by_category["85000000-9"]["label"] == "Health and social work services"
    assert by_category["85000000-9"]["unknown"] == 1
    narrowed = service.contracts(settings, "category:85", group_by="category")
    assert [g["group"] for g in narrowed["groups"]] == ["85000000-9", "85311300-5"]


def test_cli_suppliers_json_csv_and_table(settings):
    out = run(settings, "suppliers", "--json")
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["suppliers"][0]["key"] == "veolia es"
    rows = list(csv.DictReader(io.StringIO(run(settings, "suppliers", "council:bromley", "--csv").stdout)))
    assert rows == [
        {
            "key": "acme and co",
            "name": "Acme & Co",
            "councils": "bromley",
            "matters": "1",
            "total_value": "7500000.0",
            "annual_value": "2500000.0",
            "first_decision": "2019-05-01",
            "last_decision": "2019-05-01",
        }
    ]
    table = run(settings, "suppliers")
    assert "Veolia ES (UK) Limited" in table.stdout and "2 suppliers" in table.stdout


def test_cli_contracts_views_and_groupings(settings):
    grouped = json.loads(run(settings, "contracts", "--group-by", "supplier", "--json").stdout)
    assert grouped["by_record"] is False and grouped["total"] == 6
    assert grouped["rows"][0]["records"] and "conflicts" in grouped["rows"][0]
    by_record = json.loads(run(settings, "contracts", "--by-record", "--json").stdout)
    assert by_record["by_record"] is True and "records" not in by_record["rows"][0]
    text = run(settings, "contracts", "--group-by", "category")
    assert text.exit_code == 0 and "90511000-2 Refuse collection services" in text.stdout
    rows = list(csv.reader(io.StringIO(run(settings, "contracts", "supplier:veolia", "--csv").stdout)))
    header = rows[0]
    assert header[-2:] == ["records", "conflicts"] and "supplier_keys" in header
    first = dict(zip(header, rows[1], strict=True))
    assert first["suppliers"] == "Veolia ES (UK) Limited" and first["supplier_keys"] == "veolia es"


@pytest.mark.parametrize("command", ["contracts", "suppliers", "search"])
def test_a_malformed_category_is_one_line_and_exit_2(settings, command):
    out = run(settings, command, "category:xyz")
    assert out.exit_code == 2
    assert out.output.strip().count("\n") == 0 and "category: wants a CPV code" in out.output


def test_a_filter_that_matches_nothing_is_an_empty_result(settings):
    out = run(settings, "search", "supplier:nobody", "--json")
    assert out.exit_code == 0 and json.loads(out.stdout)["total"] == 0
    assert json.loads(run(settings, "contracts", "category:45", "--json").stdout)["rows"] == []


def test_an_index_of_the_layout_before_suppliers_is_refilled_from_the_store(tmp_path):
    settings = settings_for(tmp_path)
    service.index_records(settings, records(), progress=False)
    meta = settings.index_dir / META_FILE
    meta.write_text(json.dumps({"version": INDEX_VERSION - 1}))  # as the layout without suppliers left it
    service._backends.clear()  # a new process opens the index
    assert TantivyBackend(settings.index_dir).count() == 0  # the old layout is dropped...
    summary = service.index_records(settings, progress=False)  # ...and refilled from the store
    assert summary["indexed"] == summary["count"] == len(records())
    hits = service.search(settings, "supplier:veolia")["hits"]
    assert sorted(h["id"] for h in hits) == ["camden:decision_details:3", "camden:decision_details:8"]
    assert {tuple(h["suppliers"]) for h in hits} == {("Veolia ES (UK) Limited",), ("Veolia ES (UK) Ltd",)}


def test_supplier_councils_are_registry_ids_as_the_registry_spells_them(tmp_path):
    text = "The contract is awarded to Amey."
    settings = settings_for(tmp_path)
    amey = record("ken:decision_details:1", text, suppliers=[supplier(text, "Amey", "amey")])
    service.index_records(settings, [amey], progress=False)
    assert service.suppliers(settings)["suppliers"][0]["councils"] == ["KEN"]
