"""Export: JSON lines, CSV, and an OCDS 1.1 release package that validates against the schema."""

import csv
import io
import json

import jsonschema
import pytest
from referencing import Registry, Resource

from index import service
from index.export import write_ocds
from papers.schema import Record
from tests.fixtures.index.records import FIXTURES, sample_records, settings_for
from tests.test_matters import halton_settings


def ocds_validator() -> jsonschema.Draft4Validator:
    """The release package schema, with the release schema resolved offline by its id."""
    package = json.loads((FIXTURES / "release-package-schema.json").read_text())
    release = json.loads((FIXTURES / "release-schema.json").read_text())
    registry = Registry().with_resource(release["id"], Resource.from_contents(release))
    return jsonschema.Draft4Validator(
        package, registry=registry, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    settings = settings_for(tmp_path_factory.mktemp("export"))
    service.index_records(settings, sample_records(), progress=False)
    return settings


def export(settings, q, fmt) -> str:
    out = io.StringIO()
    service.export(settings, q, fmt, out)
    return out.getvalue()


def test_jsonl_round_trips_the_matching_records(settings):
    lines = export(settings, "fostering", "jsonl").splitlines()
    records = [Record.from_json(line) for line in lines]
    assert [r.id for r in records] == sorted(r.id for r in sample_records() if "ostering" in r.text)
    assert records[0] == sample_records()[0]
    assert len(export(settings, "", "jsonl").splitlines()) == 7


def test_csv_has_one_flat_row_per_record(settings):
    rows = list(csv.DictReader(io.StringIO(export(settings, "council:camden", "csv"))))
    assert [r["id"] for r in rows] == [
        "camden:decision_details:3",
        "camden:decision_details:4",
        "camden:minutes:5",
    ]
    assert rows[0]["annual_value"] == "10300000.0" and rows[0]["routes"] == "extension direct_award"


def test_ocds_package_validates_and_carries_the_contract_terms(settings):
    package = json.loads(export(settings, "", "ocds"))
    errors = sorted(ocds_validator().iter_errors(package), key=str)
    assert errors == []
    assert package["version"] == "1.1" and len(package["releases"]) == 5  # contract decisions only
    first = next(r for r in package["releases"] if r["ocid"].endswith("bromley-decision-details-1"))
    assert first["buyer"] == {"id": "bromley", "name": "bromley"}
    assert first["parties"][0]["roles"] == ["buyer"]
    assert first["tender"]["procurementMethod"] == "selective"
    assert first["tender"]["procurementMethodDetails"] == "framework"
    assert first["contracts"][0]["value"] == {"amount": 7.5e6, "currency": "GBP"}
    assert first["contracts"][0]["period"]["startDate"] == "2019-07-01T00:00:00Z"
    assert first["contracts"][0]["period"]["durationInDays"] == 1095
    assert first["contracts"][0]["documents"][0]["url"] == "https://bromley.test/bromley:decision_details:1"
    assert first["date"] == "2019-05-01T00:00:00Z"


def test_the_validator_rejects_what_ocds_forbids(settings):
    package = json.loads(export(settings, "value>=2m", "ocds"))
    assert not list(ocds_validator().iter_errors(package))
    broken = json.loads(json.dumps(package))
    broken["releases"][0]["contracts"][0]["value"]["amount"] = "7500000"
    del broken["releases"][1]["ocid"]
    broken["releases"][0]["date"] = "2019-05-01"  # a date, not the date-time OCDS requires
    messages = [e.message for e in ocds_validator().iter_errors(broken)]
    assert any("'ocid' is a required property" in m for m in messages)
    assert any("is not of type 'number'" in m for m in messages)
    assert any("is not a 'date-time'" in m for m in messages)


def test_ocds_writer_streams_only_contract_decisions_with_valid_uris():
    records = sample_records()
    records[0].url = "https://bromley.test/Data/Cabinet/2019 report.pdf"
    out = io.StringIO()
    assert write_ocds(iter(records), out) == 5
    package = json.loads(out.getvalue())
    assert not list(ocds_validator().iter_errors(package))
    assert package["releases"][0]["contracts"][0]["documents"][0]["url"].endswith("/2019%20report.pdf")


def test_csv_carries_suppliers_and_category(settings):
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(export(settings, "", "csv")))}
    waste = rows["camden:decision_details:3"]
    assert (waste["suppliers"], waste["supplier_keys"]) == ("Veolia ES (UK) Limited", "veolia es")
    assert (waste["category_id"], waste["category_description"]) == (
        "90511000-2",
        "Refuse collection services",
    )
    assert rows["camden:minutes:5"]["suppliers"] == "" and rows["camden:minutes:5"]["category_id"] == ""


def test_ocds_awards_name_suppliers_and_items_carry_cpv(settings):
    package = json.loads(export(settings, "", "ocds"))
    assert not list(ocds_validator().iter_errors(package))
    waste = next(r for r in package["releases"] if r["ocid"].endswith("camden-decision-details-3"))
    supplier = {"id": "supplier-veolia-es", "name": "Veolia ES (UK) Limited"}
    assert waste["awards"][0]["suppliers"] == [supplier]
    assert waste["parties"] == [
        {"id": "camden", "name": "camden", "roles": ["buyer"]},
        {**supplier, "roles": ["supplier"]},
    ]
    assert waste["tender"]["items"] == [
        {
            "id": "1",
            "description": "Waste contract extension",
            "classification": {
                "scheme": "CPV",
                "id": "90511000-2",
                "description": "Refuse collection services",
            },
        }
    ]
    leeds = next(r for r in package["releases"] if r["ocid"].endswith("leeds-report-6"))
    assert "suppliers" not in leeds["awards"][0] and "items" not in leeds["tender"]
    assert [p["roles"] for p in leeds["parties"]] == [["buyer"]]


def test_ocds_releases_are_matters(tmp_path):
    settings = halton_settings(tmp_path)
    package = json.loads(export(settings, "RESOLVED", "ocds"))  # only the minutes say it
    assert not list(ocds_validator().iter_errors(package))
    (matter,) = package["releases"]
    assert matter["ocid"].endswith("hal-agenda-item-27001-12c5687e410f")  # the report is the best source
    assert matter["awards"][0]["suppliers"] == [{"id": "supplier-barnardos", "name": "Barnardo's"}]
    assert matter["awards"][0]["value"] == {"amount": 900_000, "currency": "GBP"}
    assert len(matter["contracts"][0]["documents"]) == 3  # the report, the agenda item, the minutes
