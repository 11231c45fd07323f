"""The contracts table: one row per contract decision, exact quartiles per group, unknowns counted."""

import random
import statistics

import numpy as np
import pytest

from index import service
from index.contracts import Groups, quantile, summarise
from index.store import Store
from papers.schema import ContractSummary, Record
from tests.fixtures.index.records import record, sample_records, settings_for


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    settings = settings_for(tmp_path_factory.mktemp("contracts"))
    service.index_records(settings, sample_records(), progress=False)
    return settings


def test_one_row_per_contract_decision_with_its_terms(settings):
    result = service.contracts(settings, by_record=True)
    rows = {r["id"]: r for r in result["rows"]}
    # 5 and 7 state no value, term or method: not contract decisions
    assert set(rows) == {
        f"{c}:{t}:{n}"
        for c, t, n in (
            ("bromley", "decision_details", 1),
            ("bromley", "decision_details", 2),
            ("camden", "decision_details", 3),
            ("camden", "decision_details", 4),
            ("leeds", "report", 6),
        )
    }
    first = rows["bromley:decision_details:1"]
    text = sample_records()[0].text
    at = {
        words: (text.index(words), text.index(words) + len(words))
        for words in ("Acme & Co", "£2.5 million per year", "three years", "Fostering services")
    }
    here = "bromley:decision_details:1"
    assert first == {
        "id": "bromley:decision_details:1",
        "council": "bromley",
        "council_name": None,
        "title": "Fostering framework award",
        "page_type": "decision_details",
        "decision_maker": "Executive Member for Children",
        "decision_date": "2019-05-01",
        "annual_value": 2.5e6,
        "total_value": 7.5e6,
        "annualised_by": "stated",
        "term_months": 36.0,
        "extension_months": 24.0,
        "start_date": "2019-07-01",
        "end_date": "2022-06-30",
        "procurement_method": "selective",
        "routes": ["framework"],
        "url": "https://bromley.test/bromley:decision_details:1",
        "max_extent_date": None,
        "suppliers": [
            {
                "key": "acme and co",
                "name": "Acme & Co",
                "record": here,
                "start": at["Acme & Co"][0],
                "end": at["Acme & Co"][1],
            }
        ],
        "category_id": "85311300-5",
        "category_description": "Welfare services for children and young people",
        # each term with the words it was read from (the route has no mention in this fixture)
        "sources": {
            "value": {
                "record": here,
                "start": at["£2.5 million per year"][0],
                "end": at["£2.5 million per year"][1],
            },
            "term": {"record": here, "start": at["three years"][0], "end": at["three years"][1]},
            "category": {
                "record": here,
                "start": at["Fostering services"][0],
                "end": at["Fostering services"][1],
            },
        },
    }
    assert [r["council"] for r in result["rows"]] == ["bromley", "bromley", "camden", "camden", "leeds"]


def test_groups_by_council_count_unknowns(settings):
    groups = {g["group"]: g for g in service.contracts(settings, group_by="council")["groups"]}
    assert groups["bromley"] == {
        "group": "bromley",
        "name": "bromley",  # not in the registry, and its records carry no name
        "count": 2,
        "known": 2,
        "unknown": 0,
        "q1": 925_000.0,
        "median": 1_450_000.0,
        "q3": 1_975_000.0,
    }
    # the home care call-off has a total but no term: no annual value, counted as unknown
    assert groups["camden"] == {
        "group": "camden",
        "name": "camden",
        "count": 2,
        "known": 1,
        "unknown": 1,
        "q1": 10_300_000.0,
        "median": 10_300_000.0,
        "q3": 10_300_000.0,
    }


def test_group_by_route_year_and_maker(settings):
    by_route = {g["group"]: g for g in service.contracts(settings, group_by="route")["groups"]}
    assert by_route["framework"]["count"] == 3 and by_route["framework"]["known"] == 2
    assert by_route["framework"]["median"] == 1_850_000.0
    assert by_route["dps"] == {
        "group": "dps",
        "count": 1,
        "known": 0,
        "unknown": 1,
        "q1": None,
        "median": None,
        "q3": None,
    }
    by_year = [g["group"] for g in service.contracts(settings, group_by="year")["groups"]]
    assert by_year == ["2018", "2019", "2020", "2021"]
    by_maker = [g["group"] for g in service.contracts(settings, group_by="maker")["groups"]]
    assert by_maker[-1] == "(unknown)" and "Cabinet" in by_maker


def test_query_narrows_the_table(settings):
    result = service.contracts(settings, "fostering value>=1m")
    assert [r["id"] for r in result["rows"]] == ["bromley:decision_details:1", "camden:decision_details:3"]
    assert service.contracts(settings, "zebra") == {
        "group_by": "council",
        "by_record": False,
        "total": 0,
        "rows": [],
        "groups": [],
    }


def test_pages_and_group_only_views_keep_groups_over_every_match(settings):
    everything = service.contracts(settings, group_by="route")
    page = service.contracts(settings, group_by="route", limit=2, offset=1)
    assert page["total"] == everything["total"] == 5
    assert page["rows"] == everything["rows"][1:3]
    assert page["groups"] == everything["groups"]
    only_groups = service.contracts(settings, "fostering", group_by="year", limit=0)
    assert only_groups["rows"] == [] and only_groups["total"] == 2
    assert [g["group"] for g in only_groups["groups"]] == ["2018", "2019"]


def test_quartiles_match_the_statistics_module():
    values = [3.0, 1.0, 4.0, 1.5, 9.0, 2.6, 5.0]
    ordered = sorted(values)
    expected = statistics.quantiles(values, n=4, method="inclusive")
    assert [quantile(ordered, p) for p in (0.25, 0.5, 0.75)] == pytest.approx(expected)
    assert quantile([7.0], 0.25) == 7.0


def test_summarise_puts_a_decision_in_each_of_its_routes():
    rows = [
        {
            "routes": ["framework", "dps"],
            "annual_value": 10.0,
            "council": "a",
            "decision_date": None,
            "decision_maker": None,
        },
        {"routes": [], "annual_value": None, "council": None, "decision_date": None, "decision_maker": None},
    ]
    groups = summarise(rows, "route")
    assert [(g["group"], g["count"], g["unknown"]) for g in groups] == [
        ("dps", 1, 0),
        ("framework", 1, 0),
        ("(unknown)", 1, 1),
    ]


def test_contract_rows_follow_record_changes(tmp_path):
    store = Store(tmp_path / "s.db")
    rec = record("x:report:1", "text", contract=ContractSummary(annual_value=5.0))
    store.put_records([rec])
    assert store.contract_rows()[0]["annual_value"] == 5.0
    rec.contract = ContractSummary()  # re-extraction found no contract after all
    store.put_records([rec])
    assert store.contract_rows() == [] and store.count("contracts") == 0
    store.put_records([Record(id="y", source="y.txt", contract=ContractSummary(term_months=12))])
    assert [r["id"] for r in store.contract_rows()] == ["y"]


def test_a_page_of_contract_rows_walks_the_order_index_and_groups_read_unordered(tmp_path):
    store = Store(tmp_path / "s.db")
    store.put_records(
        [
            record(f"{council}:report:{n}", "text", contract=ContractSummary(annual_value=n))
            for n, council in enumerate(["leeds", "barnet", "camden", "barnet"], 1)
        ]
    )
    page = store.contract_rows(limit=2)
    assert [(r["council"], r["annual_value"]) for r in page] == [("barnet", 2.0), ("barnet", 4.0)]
    sql = "EXPLAIN QUERY PLAN SELECT id FROM contracts ORDER BY council, decision_date, title, id LIMIT 2"
    plan = " ".join(row[-1] for row in store.conn.execute(sql))
    assert "contracts_order" in plan and "TEMP B-TREE" not in plan  # no sort of every row for a page
    unordered = store.contract_rows(fields=("annual_value", "council"), ordered=False)
    assert sorted(r["annual_value"] for r in unordered) == [1.0, 2.0, 3.0, 4.0]


def _oracle(rows: list[dict], group_by: str) -> list[dict]:
    """The per-group figures by their plain definition: every row of a group, its values sorted."""
    members: dict[str, list[dict]] = {}
    labels: dict[str, str] = {}
    for row in rows:
        named = {s["key"]: s["name"] for s in row["suppliers"]} if group_by == "supplier" else {}
        keys = sorted(named) if group_by == "supplier" else sorted(set(row["routes"]))
        for key in keys or ["(unknown)"]:
            members.setdefault(key, []).append(row)
            if key in named:
                labels.setdefault(key, named[key])  # the first row's name for the supplier
    out = []
    for key in sorted(members, key=lambda k: (k == "(unknown)", k)):
        known = sorted(r["annual_value"] for r in members[key] if r["annual_value"] is not None)
        n = len(members[key])
        quartiles = [round(quantile(known, p), 2) if known else None for p in (0.25, 0.5, 0.75)]
        group = {"group": key, "count": n, "known": len(known), "unknown": n - len(known)}
        out.append({**group, **dict(zip(("q1", "median", "q3"), quartiles, strict=True))})
        if group_by == "supplier":
            out[-1]["label"] = labels.get(key)
    return out


@pytest.mark.parametrize("group_by", ["route", "supplier"])
def test_groups_of_any_subset_match_the_plain_definition(group_by):
    rng = random.Random(16)
    rows = [
        {
            "council": "a",
            "decision_date": None,
            "decision_maker": None,
            "category_id": None,
            "routes": rng.sample(["framework", "dps", "open", "direct_award"], rng.randint(0, 2)),
            "suppliers": [
                {"key": k, "name": f"{k.title()} {rng.choice(['Ltd', 'Limited'])}"}
                for k in rng.sample(["acme", "bolt", "crane"], rng.randint(0, 2))
            ],
            "annual_value": rng.choice([None, float(rng.randint(1, 9)), rng.uniform(1e3, 1e6)]),
        }
        for _ in range(300)
    ]
    groups = Groups(rows, group_by)
    for _ in range(20):
        mask = np.array([rng.random() < 0.3 for _ in rows])
        chosen = [r for r, keep in zip(rows, mask, strict=True) if keep]
        assert groups.summary(mask) == _oracle(chosen, group_by)
    assert groups.summary() == _oracle(rows, group_by) == summarise(rows, group_by)
    assert groups.summary(np.zeros(len(rows), dtype=bool)) == []
