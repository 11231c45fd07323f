"""The Elasticsearch backend: mapping, settings and every request body unit-tested here; the rest
against a real cluster when ELASTICSEARCH_URL is set (skipped otherwise).

The request tests put the real client over a transport node that sends nothing (RecordingNode):
it keeps each request the client would send and answers it from a table written in the test, so
they check what we ask a cluster and how we read a given answer. That is not a cluster, and
nothing here calls it one: behaviour on a real cluster is the ELASTICSEARCH_URL suite's.
"""

import contextlib
import json
import logging
import os
import re
import uuid

import pytest
import regex
import tantivy
from click.testing import CliRunner
from elastic_transport import ApiResponseMeta, BaseNode, HttpHeaders
from elastic_transport._node import NodeApiResponse
from elasticsearch import Elasticsearch

from index import service
from index.backends import elastic as es
from index.backends import open_backend
from index.backends.elastic import (
    ANALYSIS,
    ANALYZER,
    HIGHLIGHT_CHARS,
    INDEX_VERSION,
    MAPPINGS,
    ElasticBackend,
    compile_query,
    index_template,
    keys_body,
    search_body,
    to_source,
)
from index.backends.tantivy_backend import _analyzer
from index.documents import HIT_FIELDS, record_key
from index.query import parse
from index.store import Store
from papers.cli import cli
from papers.errors import UserError
from papers.schema import Money
from papers.settings import Settings
from tests.fixtures.index.records import record, sample_records, settings_for
from tests.test_index_tantivy import QUERY_CASES

CURRENT = f"papers-v{INDEX_VERSION}"  # the live index name prefix of this layout

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
    assert props["title"]["analyzer"] == props["body"]["analyzer"] == ANALYZER
    assert props["committee"]["analyzer"] == props["decision_maker"]["analyzer"] == ANALYZER
    assert props["title"]["fields"]["keyword"]["type"] == "keyword"
    assert props["committee"]["fields"]["keyword"]["type"] == "keyword"
    assert props["decision_date"]["type"] == props["start_date"]["type"] == "date"
    assert props["annual_value"]["type"] == "double" and props["year"]["type"] == "integer"
    assert props["money"]["type"] == props["durations"]["type"] == "object"
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


# -- analysis: tantivy's tokens, Snowball English, no stop words --------------------------------


def tantivy_tokens(text: str) -> list[str]:
    """tantivy's en_stem chain (tantivy_backend._analyzer) without its last step, the stemmer."""
    chain = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.remove_long(40))
    return chain.filter(tantivy.Filter.lowercase()).build().analyze(text)


def our_tokens(text: str) -> list[str]:
    """Our Elasticsearch chain up to the stemmer, read from ANALYSIS and run in Python: the
    tokenizer's split pattern (Java and the regex module read \\p{IsAlphabetic} and \\p{N} alike),
    the length filter, then lowercasing."""
    chain = ANALYSIS["analyzer"][ANALYZER]
    pattern = ANALYSIS["tokenizer"][chain["tokenizer"]]["pattern"]
    assert ANALYSIS["tokenizer"][chain["tokenizer"]]["type"] == "pattern"
    length, lowercase, _stemmer = (ANALYSIS["filter"].get(f, {"type": f}) for f in chain["filter"])
    assert (length["type"], lowercase["type"]) == ("length", "lowercase")
    return [t.lower() for t in regex.split(pattern, text) if t and len(t) <= length["max"]]


@pytest.mark.parametrize(
    "text",
    [
        "IT services for it, not the",
        "£2.5m contract (2.5M)",
        "the council's councils",
        "x" * 39 + " " + "y" * 40 + " kept",
        "e-mail café naïve No.10 not-for-profit",
    ],
)
def test_analysis_tokenises_as_tantivy(text):
    assert our_tokens(text) == tantivy_tokens(text)


def test_analysis_keeps_stop_words_and_stems_snowball_english():
    chain = ANALYSIS["analyzer"][ANALYZER]
    kinds = [ANALYSIS["filter"].get(f, {"type": f})["type"] for f in chain["filter"]]
    assert "stop" not in kinds and kinds[-1] == "stemmer"
    # "porter2" is Lucene's Snowball English: tantivy's Filter.stemmer("english") (Porter is "english")
    assert ANALYSIS["filter"][chain["filter"][-1]]["language"] == "porter2"
    assert _analyzer().analyze("it generalizations") == ["it", "general"]  # porter2; Porter says "gener"
    assert '"english"' not in json.dumps(MAPPINGS)  # the built-in analyzer drops "it", "no", "for"
    assert index_template()["template"]["settings"]["analysis"] == ANALYSIS


def test_template_covers_every_page_the_service_allows():
    settings = index_template()["template"]["settings"]
    assert settings["max_result_window"] >= service.MAX_SEARCH_OFFSET + service.MAX_SEARCH_LIMIT
    deepest = search_body(parse("x"), limit=service.MAX_SEARCH_LIMIT, offset=service.MAX_SEARCH_OFFSET)
    assert deepest["from"] + deepest["size"] <= settings["max_result_window"]


def test_highlighting_reads_a_bounded_prefix_of_long_bodies():
    settings = index_template()["template"]["settings"]
    body = search_body(parse("fostering"))
    # The request bound stops the highlighter instead of failing the page; it may not exceed the
    # index's own bound, which would prevail.
    assert 0 < body["highlight"]["max_analyzed_offset"] <= settings["highlight.max_analyzed_offset"]
    assert body["highlight"]["max_analyzed_offset"] == HIGHLIGHT_CHARS


def test_many_mentions_make_no_nested_documents():
    assert '"nested"' not in json.dumps(index_template())
    rec = sample_records()[0]
    many = rec.model_copy(update={"money": [Money(text="£1", start=0, end=2, amount=1.0)] * 12_000})
    assert len(to_source(many)["money"]) == 12_000  # one document, however many mentions


# -- requests, over a transport that sends nothing -------------------------------------------------

URL = "http://es.test:9200"


class Answers:
    """What a test's stand-in answers, and every request the real client sent it (method, path, body).

    ``indices`` maps index names to the aliases on them; ``replies`` overrides an answer by
    (method, path pattern); ``item`` decides each bulk item's (status, error) from its op, id and
    attempt number."""

    def __init__(self, version: str = "9.1.2", indices: dict[str, set[str]] | None = None):
        self.version = version
        self.indices = indices or {}
        self.replies: dict[tuple[str, str], tuple[int, object]] = {}
        self.item = lambda op, rid, attempt: (201 if op == "index" else 200, None)
        self.requests: list[tuple[str, str, bytes | None]] = []
        self.headers: list[dict] = []
        self.attempts: dict[str, int] = {}

    def client(self) -> Elasticsearch:
        answers = self

        class RecordingNode(BaseNode):
            def perform_request(self, method, target, body=None, headers=None, request_timeout=None):
                answers.requests.append((method, target, body))
                answers.headers.append(dict(headers or {}))
                status, reply = answers.answer(method, target, body)
                kind = {"content-type": "application/json", "x-elastic-product": "Elasticsearch"}
                meta = ApiResponseMeta(status, "1.1", HttpHeaders(kind), 0.0, self.config)
                return NodeApiResponse(meta, json.dumps(reply).encode() if reply is not None else b"")

        return Elasticsearch(URL, node_class=RecordingNode, max_retries=0)

    def aliased(self) -> dict:
        return {n: {"aliases": {"papers": {}}} for n, a in self.indices.items() if "papers" in a}

    def answer(self, method: str, target: str, body: bytes | None) -> tuple[int, object]:
        path = target.split("?")[0]
        for (m, pattern), reply in self.replies.items():
            if m == method and re.fullmatch(pattern, path):
                return reply
        if (method, path) == ("GET", "/"):
            return 200, {"version": {"number": self.version}}
        if (method, path) == ("GET", "/papers,papers-v*/_alias"):
            return 200, {n: {"aliases": {a: {} for a in al}} for n, al in self.indices.items()}
        if (method, path) == ("HEAD", "/_alias/papers"):
            return (200 if self.aliased() else 404), None
        if (method, path) == ("GET", "/_alias/papers"):
            return 200, self.aliased()
        if method == "PUT" and path == "/_bulk":
            return 200, {"errors": False, "items": self.bulk_items(body)}
        if path.endswith("/_search"):
            return 200, {"hits": {"total": {"value": 0}, "hits": []}, "aggregations": {}}
        if path.endswith("/_count"):
            return 200, {"count": 0}
        if method in ("PUT", "POST", "DELETE"):  # templates, indices, aliases, refreshes
            return 200, {"acknowledged": True}
        raise AssertionError(f"unexpected request {method} {target}")

    def bulk_items(self, body: bytes) -> list[dict]:
        items = []
        lines = iter(body.splitlines())
        for line in lines:
            ((op, meta),) = json.loads(line).items()
            if op == "index":
                next(lines)
            attempt = self.attempts[meta["_id"]] = self.attempts.get(meta["_id"], 0) + 1
            status, error = self.item(op, meta["_id"], attempt)
            items.append(
                {op: {"_index": meta["_index"], "_id": meta["_id"], "status": status, "error": error}}
            )
        return items

    def sent(self, method: str, pattern: str = ".*") -> list[tuple[str, bytes | None]]:
        paths = [(t.split("?")[0], b) for m, t, b in self.requests if m == method]
        return [(path, b) for path, b in paths if re.fullmatch(pattern, path)]


@pytest.fixture
def answers():
    return Answers()


@pytest.fixture
def on_cluster(tmp_path, answers):
    """Settings whose elasticsearch backend talks to ``answers``."""
    settings = settings_for(tmp_path)
    settings.elasticsearch_url = URL
    backend = ElasticBackend(URL, client=answers.client())
    backend.sleep = lambda seconds: answers.requests.append(("SLEEP", str(seconds), None))
    service._backends[("elasticsearch", URL)] = backend
    yield settings
    service._backends.pop(("elasticsearch", URL), None)


def run(settings, *args: str):
    return CliRunner(env={"ELASTICSEARCH_URL": URL}).invoke(
        cli, ["--data-dir", str(settings.data_dir), *args, "--backend", "elasticsearch"]
    )


MEDIA_TYPE_400 = {  # what an 8.18 server answers the 9.x client's first request
    "error": {
        "root_cause": [
            {"type": "media_type_header_exception", "reason": "Invalid media-type value on headers [Accept]"}
        ],
        "type": "media_type_header_exception",
        "reason": "Invalid media-type value on headers [Content-Type, Accept]",
        "caused_by": {
            "type": "status_exception",
            "reason": "Accept version must be either version 8 or 7, but found 9. "
            "Accept=application/vnd.elasticsearch+json; compatible-with=9",
        },
    },
    "status": 400,
}


def test_an_8x_server_is_one_line_saying_what_to_install_exit_2(on_cluster, answers):
    answers.replies[("GET", "/")] = (400, MEDIA_TYPE_400)
    result = run(on_cluster, "search", "fostering")
    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    assert "Elasticsearch 9.x" in line and "version 8 or 7, but found 9" in line
    assert answers.requests[0][:2] == ("GET", "/")  # found on the very first request
    assert answers.headers[0]["accept"].endswith("compatible-with=9")  # the 9.x request shape


def test_a_server_of_another_major_is_refused_before_any_work(on_cluster, answers):
    answers.version = "10.0.0"
    result = run(on_cluster, "index")
    assert result.exit_code == 2 and "is version 10.0.0" in result.output and "9.x" in result.output
    assert [m for m, _, _ in answers.requests] == ["GET"]  # nothing written


def test_a_key_that_may_not_read_the_version_still_gets_its_answers(on_cluster, answers):
    answers.replies[("GET", "/")] = (403, {"error": {"type": "security_exception", "reason": "no monitor"}})
    result = run(on_cluster, "search", "fostering", "--json")
    assert result.exit_code == 0 and json.loads(result.output)["total"] == 0


def test_help_states_the_supported_servers():
    result = CliRunner().invoke(cli, ["index", "--backend", "elasticsearch", "--help"])
    assert "9.x server" in " ".join(result.output.split())


def test_an_index_squatting_on_the_alias_is_refused(on_cluster, answers):
    answers.indices = {"papers": set()}  # a real index named like the alias
    result = run(on_cluster, "search", "fostering")
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert "'papers' is an index, not the alias" in line and "DELETE /papers" in line
    assert not answers.sent("POST", ".*_search")  # it is never quietly read


def test_a_400_is_permanent_exit_2_with_the_reason(on_cluster, answers):
    answers.indices = {f"{CURRENT}-1": {"papers"}}
    error = {
        "type": "search_phase_execution_exception",
        "reason": "all shards failed",
        "caused_by": {"type": "illegal_argument_exception", "reason": "Result window is too large"},
    }
    answers.replies[("POST", "/papers/_search")] = (400, {"error": error, "status": 400})
    result = run(on_cluster, "search", "fostering")
    assert result.exit_code == 2 and "Result window is too large" in result.output
    answers.replies[("POST", "/papers/_search")] = (503, {"error": {"type": "unavailable", "reason": "busy"}})
    assert run(on_cluster, "search", "fostering").exit_code == 1  # retry later


def store_with(settings, records) -> None:
    with Store(settings.ensure().db_path) as store:
        store.put_records(records)


def test_one_refused_document_stays_queued_and_the_rest_of_its_batch_is_marked(on_cluster, answers):
    answers.indices = {f"{CURRENT}-1": {"papers"}}
    bad = "camden:decision_details:3"
    refusal = {"type": "document_parsing_exception", "reason": "failed to parse field [end_date]"}
    answers.item = lambda op, rid, attempt: (400, refusal) if rid == bad else (201, None)
    store_with(on_cluster, sample_records())
    result = run(on_cluster, "index")
    assert result.exit_code == 1, result.output
    assert "refused 1 records" in result.output and bad in result.output
    with Store(on_cluster.db_path) as store:
        assert [r.id for r in store.unindexed("elasticsearch")] == [bad]
    answers.item = lambda op, rid, attempt: (201, None)
    for method in ("GET", "POST"):
        answers.replies[(method, "/papers/_count")] = (200, {"count": len(sample_records()) - 1})
    assert run(on_cluster, "index").exit_code == 0  # the next run sends only that one
    assert len(answers.bulk_items(answers.sent("PUT", "/_bulk")[-1][1])) == 1


def test_bulk_requests_are_sized_by_bytes(on_cluster, answers, monkeypatch):
    monkeypatch.setattr(es, "BULK_BYTES", 4000)
    records = [record(f"leeds:report:{i}", "word " * 300, page_type="report") for i in range(12)]
    backend = service.backend_for(on_cluster, "elasticsearch")
    assert backend.add(records) == 12
    bodies = [b for _, b in answers.sent("PUT", "/_bulk")]
    assert len(bodies) > 1 and all(len(b) <= 4000 for b in bodies)
    sent = [json.loads(line)["index"]["_id"] for b in bodies for line in b.splitlines()[::2]]
    assert sent == [r.id for r in records]  # each once, in order
    big = record("leeds:report:99", "word " * 2000, page_type="report")
    answers.requests.clear()
    assert backend.add([records[0], big, records[1]]) == 3  # a document over the limit goes alone
    assert [len(answers.bulk_items(b)) for _, b in answers.sent("PUT", "/_bulk")] == [1, 1, 1]
    # A document over the cluster's own request limit is that record's failure, not the run's.
    too_big = (413, {"error": {"type": "content_too_long", "reason": "too long"}})
    answers.replies[("PUT", "/_bulk")] = too_big
    assert backend.add([big]) == 0 and set(backend.refused()) == {big.id}


def test_busy_documents_are_retried_with_backoff_then_left_queued(on_cluster, answers):
    backend = service.backend_for(on_cluster, "elasticsearch")
    records = sample_records()
    busy = {"type": "es_rejected_execution_exception", "reason": "rejected execution"}
    answers.item = lambda op, rid, attempt: (
        (429, busy) if rid == records[2].id and attempt < 3 else (201, None)
    )
    assert backend.add(records) == len(records)
    bulks = answers.sent("PUT", "/_bulk")
    assert [len(answers.bulk_items(b)) for _, b in bulks] == [7, 1, 1]  # only the refused one again
    assert [t for m, t, _ in answers.requests if m == "SLEEP"] == ["1.0", "2.0"]  # doubling waits
    answers.item = lambda op, rid, attempt: (503, busy) if rid == records[0].id else (201, None)
    with pytest.raises(UserError, match="busy") as caught:
        backend.add(records)
    assert caught.value.exit_code == 1  # the run retries later; nothing from it is marked


def test_an_old_layout_is_rebuilt_behind_the_alias(on_cluster, answers, caplog):
    answers.indices = {"papers-v1-5": {"papers"}}
    store_with(on_cluster, sample_records())
    with caplog.at_level(logging.WARNING):
        summary = service.index_records(on_cluster, backend="elasticsearch", progress=False)
    assert "papers-v1-5 has an older layout" in caplog.text
    assert "`papers index --backend elasticsearch` rebuilds it" in caplog.text  # what a reader is told
    assert summary["rebuild"] is True
    (created,) = [t.strip("/") for t, _ in answers.sent("PUT", f"/papers-v{INDEX_VERSION}-\\d+")]
    assert all(f'"_index":"{created}"' in b.decode() for _, b in answers.sent("PUT", "/_bulk"))
    (swap,) = [json.loads(b) for _, b in answers.sent("POST", "/_aliases")]
    assert swap["actions"] == [
        {"remove": {"index": "papers-v1-5", "alias": "papers"}},
        {"add": {"index": created, "alias": "papers", "is_write_index": True}},
    ]
    assert answers.sent("DELETE") == [("/papers-v1-5", None)]


def test_leftover_indices_are_removed_and_reported(on_cluster, answers, caplog):
    answers.indices = {
        f"{CURRENT}-1": {"papers"},
        f"{CURRENT}-7": set(),
        "papers-v1-3": set(),
        "other": set(),
    }
    with caplog.at_level(logging.WARNING):
        service.backend_for(on_cluster, "elasticsearch").add(sample_records()[:1])
    assert sorted(t for t, _ in answers.sent("DELETE")) == ["/papers-v1-3", f"/{CURRENT}-7"]
    assert f"{CURRENT}-7" in caplog.text and "no alias points to it" in caplog.text


def test_a_failed_rebuild_is_abandoned_not_swapped_in_later(on_cluster, answers):
    answers.indices = {f"{CURRENT}-1": {"papers"}}
    backend = service.backend_for(on_cluster, "elasticsearch")
    backend.start_rebuild()
    (rebuild,) = [t.strip("/") for t, _ in answers.sent("PUT", f"/{CURRENT}-\\d+") if t != f"/{CURRENT}-1"]
    answers.replies[("PUT", "/_bulk")] = (500, {"error": {"type": "internal", "reason": "node left"}})
    with pytest.raises(UserError):
        backend.add(sample_records())
    assert ("/" + rebuild, None) in answers.sent("DELETE")
    del answers.replies[("PUT", "/_bulk")]
    backend.add(sample_records())
    backend.commit()
    assert not answers.sent("POST", "/_aliases")  # the alias never moved to the half-filled index


# -- a real cluster -----------------------------------------------------------------------------

RUN_ON_CLUSTER = (
    "needs a real cluster: run ELASTICSEARCH_URL=http://localhost:9200 make test against an "
    "Elasticsearch 9.x server (its own throwaway aliases, removed afterwards)"
)
cluster = pytest.mark.skipif(not ES_URL, reason=RUN_ON_CLUSTER)


@pytest.fixture(scope="module")
def es_settings(tmp_path_factory):
    if not ES_URL:
        pytest.skip(RUN_ON_CLUSTER)
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


@contextlib.contextmanager
def throwaway(tmp_path):
    """Settings and a backend on its own alias, which the service uses for ES_URL while the block
    runs; the alias's indices and template are removed afterwards."""
    settings = settings_for(tmp_path)
    settings.elasticsearch_url = ES_URL
    backend = ElasticBackend(ES_URL, alias=f"papers-t-{uuid.uuid4().hex[:8]}")
    kept = service._backends.get(("elasticsearch", ES_URL))
    service._backends[("elasticsearch", ES_URL)] = backend
    try:
        yield settings, backend
    finally:
        client = backend.client
        for name in client.indices.get(index=f"{backend.alias}*", ignore_unavailable=True).body:
            client.indices.delete(index=name)
        client.options(ignore_status=404).indices.delete_index_template(name=backend.alias)
        if kept is None:
            service._backends.pop(("elasticsearch", ES_URL))
        else:
            service._backends[("elasticsearch", ES_URL)] = kept


@cluster
@pytest.mark.elasticsearch
def test_cluster_takes_a_huge_pack_and_highlights_it(tmp_path):
    text = "fostering allowance " + "budget line " * 110_000 + "respite"  # over 1,000,000 characters
    pack = record(
        "leeds:agenda_item:900",
        text,
        page_type="agenda_item",
        money=[Money(text="£1", start=0, end=2, amount=1.0)] * 12_000,  # past the nested limit
    )
    with throwaway(tmp_path) as (settings, backend):
        summary = service.index_records(settings, [pack], backend="elasticsearch", progress=False)
        assert (summary["indexed"], summary["refused"]) == (1, 0)
        (hit,) = service.search(settings, "fostering", backend="elasticsearch")["hits"]
        assert "<b>fostering</b>" in hit["snippet"].lower()
        assert service.search(settings, "respite", backend="elasticsearch")["total"] == 1  # past the bound
        assert backend.count() == 1


@cluster
@pytest.mark.elasticsearch
def test_cluster_refuses_an_index_on_the_alias_name(tmp_path):
    with throwaway(tmp_path) as (settings, backend):
        backend.client.indices.create(index=backend.alias)
        with pytest.raises(UserError, match="is an index, not the alias") as caught:
            backend.search(parse("x"))
        assert caught.value.exit_code == 2


@cluster
@pytest.mark.elasticsearch
def test_cluster_rebuilds_an_old_layout_and_removes_leftovers(tmp_path):
    with throwaway(tmp_path) as (settings, backend):
        alias = backend.alias
        old, leftover = f"{alias}-v1-1", f"{alias}-v{INDEX_VERSION}-2"
        backend.client.indices.create(index=old, aliases={alias: {"is_write_index": True}})
        backend.client.indices.create(index=leftover)  # a killed rebuild's
        summary = service.index_records(settings, sample_records(), backend="elasticsearch", progress=False)
        assert summary["rebuild"] is True and summary["count"] == len(sample_records())
        (current,) = backend._current()
        assert backend._layout(current) == INDEX_VERSION
        assert not backend.client.indices.exists(index=old)
        assert not backend.client.indices.exists(index=leftover)
        # The new layout's analysis: "for" is a word (the old "english" analyzer dropped it).
        assert service.search(settings, "for", backend="elasticsearch")["total"] == 4


def test_a_dead_cluster_is_one_clear_line_and_exit_1(tmp_path):
    import socket

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
