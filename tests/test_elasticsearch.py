"""The Elasticsearch backend: mapping and every query body unit-tested here; the rest against a
real cluster when ELASTICSEARCH_URL is set (skipped otherwise; nothing here fakes a cluster)."""

import os
import uuid

import pytest

from index import service
from index.backends import open_backend
from index.backends.elastic import (
    MAPPINGS,
    ElasticBackend,
    compile_query,
    index_template,
    keys_body,
    search_body,
    to_source,
)
from index.documents import HIT_FIELDS, record_key
from index.query import parse
from papers.errors import UserError
from papers.settings import Settings
from tests.fixtures.index.records import sample_records, settings_for
from tests.test_index_tantivy import QUERY_CASES

ES_URL = os.environ.get("ELASTICSEARCH_URL")


def text(t: str) -> dict:
    return {
        "bool": {
            "should": [
                {"match_phrase": {"title": {"query": t, "boost": 3.0}}},
                {"match_phrase": {"body": {"query": t}}},
            ],
            "minimum_should_match": 1,
        }
    }


# -- request bodies (no cluster needed) ---------------------------------------------------------


def test_template_maps_types_as_the_issue_asks():
    template = index_template("papers")
    assert template["name"] == "papers" and template["index_patterns"] == ["papers-v*"]
    props = template["template"]["mappings"]["properties"]
    assert template["template"]["mappings"]["dynamic"] == "strict"
    assert props["title"]["analyzer"] == props["body"]["analyzer"] == "english"
    assert props["title"]["fields"]["keyword"]["type"] == "keyword"
    assert props["committee"]["fields"]["keyword"]["type"] == "keyword"
    assert props["decision_date"]["type"] == props["start_date"]["type"] == "date"
    assert props["annual_value"]["type"] == "double" and props["year"]["type"] == "integer"
    assert props["money"]["type"] == props["durations"]["type"] == "nested"
    assert props["money"]["properties"]["amount"]["type"] == "double"
    assert props["durations"]["properties"]["months"]["type"] == "float"
    for field in ("council", "page_type", "routes", "procurement_method", "id"):
        assert props[field]["type"] == "keyword"


def test_source_fits_the_strict_mapping():
    for rec in sample_records():
        source = to_source(rec)
        assert set(source) <= set(MAPPINGS["properties"])
        assert source["key"] == record_key(rec.id)
        for money in source["money"]:
            assert set(money) <= set(MAPPINGS["properties"]["money"]["properties"])
    first = to_source(sample_records()[0])
    assert first["money"] == [
        {
            "text": "£2.5 million per year",
            "amount": 2.5e6,
            "currency": "GBP",
            "per": "year",
            "is_contract_value": True,
        }
    ]
    assert first["durations"] == [{"text": "three years", "months": 36.0, "kind": "term"}]
    assert first["routes"] == ["framework"] and first["decision_date"] == "2019-05-01"


@pytest.mark.parametrize(
    ("q", "body"),
    [
        ("", {"match_all": {}}),
        ("fostering", {"bool": {"must": [text("fostering")]}}),
        ('"care services"', {"bool": {"must": [text("care services")]}}),
        (
            "a OR b",
            {"bool": {"must": [{"bool": {"should": [text("a"), text("b")], "minimum_should_match": 1}}]}},
        ),
        ("-respite", {"bool": {"must_not": [text("respite")]}}),
        ("council:bromley", {"bool": {"filter": [{"term": {"council": "bromley"}}]}}),
        ("type:minutes", {"bool": {"filter": [{"term": {"page_type": "minutes"}}]}}),
        ("route:dps", {"bool": {"filter": [{"term": {"routes": "dps"}}]}}),
        ("committee:cabinet", {"bool": {"filter": [{"match_phrase": {"committee": {"query": "cabinet"}}}]}}),
        (
            'maker:"member for"',
            {"bool": {"filter": [{"match_phrase": {"decision_maker": {"query": "member for"}}}]}},
        ),
        ("after:2019-01-01", {"bool": {"filter": [{"range": {"decision_date": {"gte": "2019-01-01"}}}]}}),
        ("before:2020", {"bool": {"filter": [{"range": {"decision_date": {"lt": "2020-01-01"}}}]}}),
        ("year:2019", {"bool": {"filter": [{"range": {"year": {"gte": 2019, "lte": 2019}}}]}}),
        ("value>=2m", {"bool": {"filter": [{"range": {"annual_value": {"gte": 2e6}}}]}}),
        ("value<500k", {"bool": {"filter": [{"range": {"annual_value": {"lt": 5e5}}}]}}),
        ("term>36", {"bool": {"filter": [{"range": {"term_months": {"gt": 36.0}}}]}}),
        ("category:85311000-2", {"bool": {"filter": [{"term": {"category_prefixes": "85311"}}]}}),
        (
            'supplier:"APCOA Parking (UK) Ltd"',
            {"bool": {"filter": [{"match_phrase": {"supplier_words": {"query": "apcoa parking"}}}]}},
        ),
        (
            "fostering route:framework -council:leeds",
            {
                "bool": {
                    "must": [text("fostering")],
                    "filter": [{"term": {"routes": "framework"}}],
                    "must_not": [{"term": {"council": "leeds"}}],
                }
            },
        ),
    ],
)
def test_every_query_kind_compiles_to_dsl(q, body):
    assert compile_query(parse(q)) == body


def test_user_text_is_never_a_query_string():
    body = compile_query(parse('"a:b OR (c" x^2 AND'))
    assert "query_string" not in repr(body) and "simple_query_string" not in repr(body)
    assert body["bool"]["must"][0] == text("a:b OR (c")


def test_search_body_pages_highlights_and_aggregates():
    body = search_body(parse("fostering"), limit=5, offset=10)
    assert (body["from"], body["size"], body["track_total_hits"]) == (10, 5, True)
    assert body["_source"] == {"includes": list(HIT_FIELDS)}
    assert body["highlight"]["encoder"] == "html"
    assert body["highlight"]["pre_tags"] == ["<b>"] and body["highlight"]["post_tags"] == ["</b>"]
    assert body["aggs"] == {
        "council": {"terms": {"field": "council", "size": 50}},
        "type": {"terms": {"field": "page_type", "size": 20}},
        "route": {"terms": {"field": "routes", "size": 20}},
        "year": {"terms": {"field": "year", "size": 50}},
        "category": {"terms": {"field": "category_facet", "size": 50}},
        "supplier": {"terms": {"field": "supplier_keys", "size": 50}},
    }
    assert "aggs" not in search_body(parse("x"), facets=False)


def test_keys_body_reads_doc_values_only():
    body = keys_body(parse("fostering"), contracts_only=True)
    assert body == {
        "query": {"bool": {"must": [text("fostering")], "filter": [{"term": {"is_contract": True}}]}},
        "_source": False,
        "docvalue_fields": ["key"],
    }


def test_backend_needs_a_url():
    with pytest.raises(UserError, match="ELASTICSEARCH_URL"):
        open_backend(Settings(data_dir="unused", elasticsearch_url=None), "elasticsearch")
    with pytest.raises(UserError, match="unknown backend"):
        open_backend(Settings(data_dir="unused"), "solr")


# -- a real cluster -----------------------------------------------------------------------------

cluster = pytest.mark.skipif(not ES_URL, reason="set ELASTICSEARCH_URL to test against a real cluster")


@pytest.fixture(scope="module")
def es_settings(tmp_path_factory):
    if not ES_URL:
        pytest.skip("set ELASTICSEARCH_URL to test against a real cluster")
    settings = settings_for(tmp_path_factory.mktemp("es"))
    settings.elasticsearch_url = ES_URL
    backend = ElasticBackend(ES_URL, alias=f"papers-test-{uuid.uuid4().hex[:8]}")
    service._backends[("elasticsearch", ES_URL)] = backend  # a throwaway alias, not the user's
    service.index_records(settings, sample_records(), backend="elasticsearch", progress=False)
    yield settings
    for index in backend._current():
        backend.client.indices.delete(index=index)
    backend.client.indices.delete_index_template(name=backend.alias)
    service._backends.pop(("elasticsearch", ES_URL))


@cluster
@pytest.mark.elasticsearch
@pytest.mark.parametrize(("q", "expected"), QUERY_CASES)
def test_cluster_finds_what_tantivy_finds(es_settings, q, expected):
    hits = service.search(es_settings, q, limit=50, backend="elasticsearch")
    assert {h["id"].split(":")[-1] for h in hits["hits"]} == expected
    assert hits["total"] == len(expected)


@cluster
@pytest.mark.elasticsearch
def test_cluster_facets_snippets_contracts(es_settings):
    result = service.search(es_settings, "acme", backend="elasticsearch")
    assert "&lt;<b>Acme</b> &amp; Co&gt;" in result["hits"][0]["snippet"]
    facets = service.search(es_settings, "fostering", backend="elasticsearch")["facets"]
    assert facets["council"] == {"camden": 2, "bromley": 1, "leeds": 1}
    rows = service.contracts(es_settings, "fostering value>=1m", backend="elasticsearch")["rows"]
    assert [r["id"] for r in rows] == ["bromley:decision_details:1", "camden:decision_details:3"]


@cluster
@pytest.mark.elasticsearch
def test_cluster_reindex_is_idempotent_and_rebuild_swaps_the_alias(es_settings):
    backend = service.backend_for(es_settings, "elasticsearch")
    again = service.index_records(es_settings, sample_records(), backend="elasticsearch", progress=False)
    assert (again["indexed"], again["count"]) == (0, 7)
    before = backend._current()
    rebuilt = service.index_records(es_settings, backend="elasticsearch", rebuild=True, progress=False)
    after = backend._current()
    assert rebuilt["count"] == 7 and len(after) == 1 and after != before
    assert backend.ids() == {r.id for r in sample_records()}


def test_a_dead_cluster_is_one_clear_line_and_exit_1(tmp_path):
    import socket

    from click.testing import CliRunner

    from papers.cli import cli

    with socket.socket() as sock:  # a port nothing listens on: a real refused connection
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {"ELASTICSEARCH_URL": f"http://127.0.0.1:{port}"}
    result = CliRunner(env=env).invoke(
        cli, ["--data-dir", str(tmp_path), "search", "x", "--backend", "elasticsearch"]
    )
    assert result.exit_code == 1
    last = result.output.splitlines()[-1]  # the client may log its retries first
    assert (
        last.startswith(f"error: elasticsearch at http://127.0.0.1:{port}: ")
        and "Traceback" not in result.output
    )
