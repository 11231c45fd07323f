"""One query model, two engines, the same answers.

The same corpus and the same queries (words, stop words, phrases, OR, exclusions, every filter,
date ranges, facets, deep pages) run on every backend: on tantivy always, on Elasticsearch
whenever ELASTICSEARCH_URL points at a 9.x cluster (an alias of its own, removed afterwards).
Each query's matches are written out by hand from the corpus below; facet counts are counted from
the corpus over those matches. Ranking may differ between the engines (docs/architecture.md), so
only sets and counts are compared, never order or scores.
"""

from __future__ import annotations

import uuid
from collections import Counter

import pytest

from index import service
from index.documents import to_fields
from papers.schema import ContractSummary, Record
from tests.fixtures.index.records import record, sample_records, settings_for
from tests.test_elasticsearch import ES_URL, RUN_ON_CLUSTER

# Budget reports for deep pages: 30 of them, a decade of dates, every third one minutes.
BUDGET = range(100, 130)


def budget_type(n: int) -> str:
    return "minutes" if n % 3 == 0 else "report"


def budget_year(n: int) -> int:
    return 2015 + n % 10


def corpus() -> list[Record]:
    extra = [
        record(
            "leeds:decision_details:8",
            "IT services contract for schools, awarded for two years.",
            title="IT services",
            page_type="decision_details",
            decision_date="2022-04-01",
            contract=ContractSummary(annual_value=300_000, term_months=24),
        ),
        record(
            "bromley:report:9",
            "It is not clear when the services review ends.",
            title="Review of support",
            page_type="report",
            decision_date="2016-02-02",
        ),
        record(
            "camden:report:10",
            "The council's budget: £2.5m for highways; e-mail the no-reply address.",
            title="Budget letter",
            page_type="report",
        ),
        record(
            "leeds:minutes:11",
            "Reference " + "A" * 45 + " noted at the meeting.",
            title="Minutes of the Board",
            page_type="minutes",
            decision_date="2021-07-07",
        ),
    ]
    budget = [
        record(
            f"wigan:{budget_type(n)}:{n}",
            f"Quarterly budget monitoring report number {n}.",
            title=f"Budget monitoring {n}",
            page_type=budget_type(n),
            decision_date=f"{budget_year(n)}-06-01",
        )
        for n in BUDGET
    ]
    return sample_records() + extra + budget


def budget(keep=lambda n: True) -> set[str]:
    return {str(n) for n in BUDGET if keep(n)}


ALL = {r.id.rsplit(":", 1)[-1] for r in corpus()}
CASES = [
    # words, stemmed
    ("fostering", {"1", "3", "5", "7"}),
    ("awarding", {"1", "2", "8"}),
    ("quarterly budget", budget()),
    # stop words are words like any other
    ("IT services", {"8", "9"}),
    ("for", {"1", "2", "4", "6", "8", "10"}),
    ("not", {"3", "9"}),
    ("no", {"10"}),
    ("services -it", {"1", "2", "3", "6"}),
    ('"the services"', {"6", "9"}),
    ('"IT services"', {"8"}),
    # tokens split as tantivy splits them
    ("2.5m", {"10"}),
    ("council's", {"10"}),
    ("council", {"10"}),
    ("e-mail", {"10"}),
    ('"number 104"', {"104"}),
    # phrases, OR, exclusions
    ('"contract extension"', {"3"}),
    ('"extension contract"', set()),
    ('"care services" -"home care"', {"2"}),
    ("respite OR highways", {"4", "5", "6", "10"}),
    ("fostering -respite", {"1", "3", "7"}),
    ("-fostering type:report", {"6", "9", "10"} | budget(lambda n: budget_type(n) == "report")),
    # every filter
    ("council:camden", {"3", "4", "5", "10"}),
    ("council:camden OR council:leeds fostering", {"3", "5", "7"}),
    ("type:minutes", {"5", "11"} | budget(lambda n: budget_type(n) == "minutes")),
    ("committee:cabinet", {"3", "4", "5"}),
    ('maker:"member for children"', {"1"}),
    ("route:framework", {"1", "4", "6"}),
    ("route:extension OR route:tender", {"2", "3"}),
    ("value>=2m", {"1", "3"}),
    ("value<500k", {"2", "8"}),
    ("term>=36", {"1", "2", "6"}),
    ("term<3y", {"3", "8"}),
    ("category:85", {"1", "4"}),
    ("category:8531", {"1"}),
    ("category:90511000", {"3"}),
    ("category:72", set()),
    ("supplier:veolia", {"3"}),
    ('supplier:"Acme & Co"', {"1"}),
    ("supplier:veolia OR category:85", {"1", "3", "4"}),
    # dates
    ("year:2019", {"1", "6"} | budget(lambda n: budget_year(n) == 2019)),
    ("after:2020-01-01", {"2", "4", "5", "8", "11"} | budget(lambda n: budget_year(n) >= 2020)),
    ("after:2019-01-01 before:2021", {"1", "4", "5", "6"} | budget(lambda n: budget_year(n) in (2019, 2020))),
    ("before:2019-10 budget", budget(lambda n: budget_year(n) <= 2019)),
    ("", ALL),
    ("zebra", set()),
]


@pytest.fixture(
    scope="module",
    params=[
        "tantivy",
        pytest.param(
            "elasticsearch",
            marks=[pytest.mark.elasticsearch, pytest.mark.skipif(not ES_URL, reason=RUN_ON_CLUSTER)],
        ),
    ],
)
def engine(request, tmp_path_factory):
    """Settings with the corpus indexed into one backend, and that backend's name."""
    name = request.param
    settings = settings_for(tmp_path_factory.mktemp(name))
    backend = None
    if name == "elasticsearch":
        from index.backends.elastic import ElasticBackend

        settings.elasticsearch_url = ES_URL
        backend = ElasticBackend(ES_URL, alias=f"papers-parity-{uuid.uuid4().hex[:8]}")
        service._backends[(name, ES_URL)] = backend  # a throwaway alias, not the user's
    service.index_records(settings, corpus(), backend=name, progress=False)
    yield settings, name
    if backend is not None:
        for index in backend._current():
            backend.client.indices.delete(index=index)
        backend.client.indices.delete_index_template(name=backend.alias)
        service._backends.pop((name, ES_URL))


def found(engine, q: str, **kw) -> tuple[set[str], dict]:
    settings, name = engine
    result = service.search(settings, q, limit=service.MAX_SEARCH_LIMIT, backend=name, **kw)
    ids = {h["id"].rsplit(":", 1)[-1] for h in result["hits"]}
    assert result["total"] == len(ids)  # every match on the one page, each once
    return ids, result["facets"]


def facets_of(numbers: set[str]) -> dict[str, dict[str, int]]:
    """Facet counts over these records, counted from the corpus itself."""
    counts = {name: Counter() for name in ("council", "type", "route", "year", "category", "supplier")}
    for rec in corpus():
        if rec.id.rsplit(":", 1)[-1] in numbers:
            fields = to_fields(rec)
            counts["council"][fields["council"]] += 1
            counts["type"][fields["page_type"]] += 1
            counts["route"].update(fields["routes"])
            if fields["year"] is not None:
                counts["year"][str(fields["year"])] += 1
            if fields["category_facet"]:
                counts["category"][fields["category_facet"]] += 1
            counts["supplier"].update(fields["supplier_keys"])
    return {name: dict(c) for name, c in counts.items()}


@pytest.mark.parametrize(("q", "expected"), CASES)
def test_same_matches_and_facets(engine, q, expected):
    ids, facets = found(engine, q)
    assert ids == expected
    assert facets == facets_of(expected)


def test_deep_pages(engine):
    settings, name = engine
    expected = budget() | {"10"}
    seen: list[str] = []
    for offset in range(0, 40, 7):
        page = service.search(settings, "budget", limit=7, offset=offset, facets=False, backend=name)
        assert page["total"] == len(expected)
        seen += [h["id"].rsplit(":", 1)[-1] for h in page["hits"]]
    assert sorted(seen) == sorted(expected)  # every match once across the pages
    # The deepest page the service allows is an empty page, not an error.
    deepest = service.search(
        settings, "budget", limit=service.MAX_SEARCH_LIMIT, offset=service.MAX_SEARCH_OFFSET, backend=name
    )
    assert deepest["total"] == len(expected) and deepest["hits"] == []
