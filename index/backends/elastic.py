"""Elasticsearch (official client 9.x): for users who outgrow one machine.

An index template fixes the mapping for every versioned index ``<alias>-v<N>-<timestamp>``;
searches and writes go through the alias. A rebuild fills a fresh index while searches keep using
the old one, then swaps the alias in one atomic ``update_aliases`` call: no downtime.
The query body is built from index/query.py (never from a query string), so its parts are plain
dicts that the unit tests check without a cluster.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Iterable, Iterator

from index.backends import FACETS, Hits, SearchBackend
from index.documents import HIT_FIELDS, to_fields
from index.query import AnyOf, Clause, Match, Phrase, Query, Range, Word
from papers.errors import EXIT_PARTIAL, UserError
from papers.schema import Record

log = logging.getLogger(__name__)

INDEX_VERSION = 2  # bump with any mapping change (2: suppliers, category); a rebuild moves the alias
DEFAULT_ALIAS = "papers"
TITLE_BOOST = 3.0
SNIPPET_CHARS = 240
FACET_SIZES = {"council": 50, "type": 20, "route": 20, "year": 50, "category": 50, "supplier": 50}
CHUNK = 500  # documents per bulk request
DATE = {
    "type": "date",
    "format": "strict_date_optional_time||strict_year_month||strict_year",
    # one unparseable date must not cost the whole record its place in the index
    "ignore_malformed": True,
}
ENGLISH_TEXT = {"type": "text", "analyzer": "english"}
NAME = {**ENGLISH_TEXT, "fields": {"keyword": {"type": "keyword", "ignore_above": 256}}}

MAPPINGS: dict = {
    "dynamic": "strict",
    "properties": {
        "id": {"type": "keyword"},
        "key": {"type": "long"},
        "title": {**ENGLISH_TEXT, "fields": {"keyword": {"type": "keyword", "ignore_above": 512}}},
        "body": ENGLISH_TEXT,
        "council": {"type": "keyword"},
        "council_name": NAME,
        "page_type": {"type": "keyword"},
        "committee": NAME,
        "decision_maker": NAME,
        "decision_date": DATE,
        "year": {"type": "integer"},
        "url": {"type": "keyword", "index": False},
        "routes": {"type": "keyword"},
        "is_contract": {"type": "boolean"},
        "annual_value": {"type": "double"},
        "total_value": {"type": "double"},
        "term_months": {"type": "float"},
        "extension_months": {"type": "float"},
        "start_date": DATE,
        "end_date": DATE,
        "procurement_method": {"type": "keyword"},
        "suppliers": {"type": "keyword", "index": False},  # display names, shown on hits
        "supplier_keys": {"type": "keyword"},
        "supplier_words": ENGLISH_TEXT,
        "category": {"type": "keyword"},
        "category_description": {"type": "keyword", "index": False},
        "category_prefixes": {"type": "keyword"},
        "category_facet": {"type": "keyword"},
        "money": {
            "type": "nested",
            "properties": {
                "text": {"type": "text"},
                "amount": {"type": "double"},
                "currency": {"type": "keyword"},
                "per": {"type": "keyword"},
                "qualifier": {"type": "keyword"},
                "is_contract_value": {"type": "boolean"},
            },
        },
        "durations": {
            "type": "nested",
            "properties": {
                "text": {"type": "text"},
                "months": {"type": "float"},
                "kind": {"type": "keyword"},
                "qualifier": {"type": "keyword"},
            },
        },
    },
}


def index_template(alias: str = DEFAULT_ALIAS) -> dict:
    """The keyword arguments of ``indices.put_index_template`` for this alias's indices."""
    return {
        "name": alias,
        "index_patterns": [f"{alias}-v*"],
        "priority": 200,
        "template": {"settings": {"number_of_shards": 1, "refresh_interval": "1s"}, "mappings": MAPPINGS},
        "meta": {"managed_by": "committee-papers", "version": INDEX_VERSION},
    }


def to_source(record: Record) -> dict:
    """The document body for a record: the shared flat fields plus money and durations, nested."""
    source = {k: v for k, v in to_fields(record).items() if v is not None and v != []}
    source["money"] = [
        {
            k: v
            for k, v in m.model_dump(
                include={"text", "amount", "currency", "per", "qualifier", "is_contract_value"}
            ).items()
            if v is not None
        }
        for m in record.money
    ]
    source["durations"] = [
        {
            k: v
            for k, v in d.model_dump(include={"text", "months", "kind", "qualifier"}).items()
            if v is not None
        }
        for d in record.durations
    ]
    return source


def _text(text: str) -> dict:
    """Title (boosted) or body; several words must appear as a phrase, as in the tantivy backend."""
    return {
        "bool": {
            "should": [
                {"match_phrase": {"title": {"query": text, "boost": TITLE_BOOST}}},
                {"match_phrase": {"body": {"query": text}}},
            ],
            "minimum_should_match": 1,
        }
    }


def compile_clause(clause: Clause) -> dict:
    if isinstance(clause, (Word, Phrase)):
        return _text(clause.text)
    if isinstance(clause, Match):
        if clause.text:
            return {"match_phrase": {clause.field: {"query": clause.value}}}
        return {"term": {clause.field: clause.value}}
    if isinstance(clause, Range):
        bounds = {}
        if clause.low is not None:
            bounds["gte" if clause.include_low else "gt"] = clause.low
        if clause.high is not None:
            bounds["lte" if clause.include_high else "lt"] = clause.high
        return {"range": {clause.field: bounds}}
    if isinstance(clause, AnyOf):
        return {"bool": {"should": [compile_clause(c) for c in clause.options], "minimum_should_match": 1}}
    raise TypeError(f"unknown clause {clause!r}")


def compile_query(query: Query, contracts_only: bool = False) -> dict:
    """The query DSL for a parsed query: words score, filters only filter."""
    scoring = [compile_clause(c) for c in query.must if isinstance(c, (Word, Phrase, AnyOf))]
    filters = [compile_clause(c) for c in query.must if not isinstance(c, (Word, Phrase, AnyOf))]
    if contracts_only:
        filters.append({"term": {"is_contract": True}})
    excluded = [compile_clause(c) for c in query.must_not]
    if not (scoring or filters or excluded):
        return {"match_all": {}}
    body: dict = {}
    for name, parts in (("must", scoring), ("filter", filters), ("must_not", excluded)):
        if parts:
            body[name] = parts
    return {"bool": body}


def search_body(query: Query, limit: int = 20, offset: int = 0, facets: bool = True) -> dict:
    """The full search request: ranked hits, HTML-escaped highlights and facet aggregations."""
    body: dict = {
        "query": compile_query(query),
        "from": offset,
        "size": limit,
        "track_total_hits": True,
        "_source": {"includes": list(HIT_FIELDS)},
        "highlight": {
            "pre_tags": ["<b>"],
            "post_tags": ["</b>"],
            "encoder": "html",  # escape the text, then add the tags: safe to put in a page
            "fields": {
                "body": {
                    "fragment_size": SNIPPET_CHARS,
                    "number_of_fragments": 1,
                    "no_match_size": SNIPPET_CHARS,
                }
            },
        },
    }
    if facets:
        body["aggs"] = {
            name: {"terms": {"field": FACETS[name], "size": size}} for name, size in FACET_SIZES.items()
        }
    return body


def keys_body(query: Query, contracts_only: bool = False) -> dict:
    """A scan over every match that reads only the numeric key from doc values."""
    return {"query": compile_query(query, contracts_only), "_source": False, "docvalue_fields": ["key"]}


def parse_hits(response: dict) -> Hits:
    hits = []
    for h in response["hits"]["hits"]:
        hit = {name: h.get("_source", {}).get(name) for name in HIT_FIELDS}
        hit["routes"] = hit["routes"] or []
        hit["suppliers"] = hit["suppliers"] or []
        hit["score"] = round(h.get("_score") or 0.0, 4)
        hit["snippet"] = (h.get("highlight", {}).get("body") or [""])[0]
        hits.append(hit)
    facets = {
        name: {str(b["key"]): b["doc_count"] for b in agg["buckets"]}
        for name, agg in response.get("aggregations", {}).items()
    }
    return Hits(response["hits"]["total"]["value"], hits, facets)


def _cluster_errors(method: Callable) -> Callable:
    """A dead or refusing cluster becomes one clear line (exit 1: retry later), not a traceback."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        from elastic_transport import TransportError
        from elasticsearch import ApiError

        try:
            return method(self, *args, **kwargs)
        except (TransportError, ApiError) as exc:
            first = str(exc).splitlines()[0][:300]
            raise UserError(f"elasticsearch at {self.url}: {first}", exit_code=EXIT_PARTIAL) from exc

    return wrapper


class ElasticBackend(SearchBackend):
    """Records in the Elasticsearch index behind ``alias``."""

    name = "elasticsearch"

    def __init__(self, url: str, alias: str = DEFAULT_ALIAS, client=None):
        from elasticsearch import Elasticsearch

        # The transport logs every failed attempt with a traceback; _cluster_errors reports the
        # outcome once, in one line, which those warnings would only bury.
        for name in ("elastic_transport.transport", "elastic_transport.node_pool"):
            logging.getLogger(name).setLevel(logging.ERROR)
        self.url = url
        self.alias = alias
        self.client = client or Elasticsearch(url, request_timeout=60, retry_on_timeout=True, max_retries=3)
        self._rebuilding: str | None = None  # the new index while a rebuild is under way
        self._ready = False

    # -- layout ----------------------------------------------------------------------------

    def _new_index(self) -> str:
        return f"{self.alias}-v{INDEX_VERSION}-{time.time_ns() // 1_000_000}"

    def _current(self) -> list[str]:
        if not self.client.indices.exists_alias(name=self.alias):
            return []
        return sorted(self.client.indices.get_alias(name=self.alias).body)

    def _ensure(self) -> None:
        """Install the template and, on first use, an empty index behind the alias."""
        if self._ready:
            return
        self.client.indices.put_index_template(**index_template(self.alias))
        if not self._current():
            self.client.indices.create(
                index=self._new_index(), aliases={self.alias: {"is_write_index": True}}
            )
        self._ready = True

    @property
    def _target(self) -> str:
        return self._rebuilding or self.alias

    # -- writes ----------------------------------------------------------------------------

    def _bulk(self, actions: Iterable[dict]) -> int:
        from elasticsearch import helpers

        done, failed = 0, []
        for ok, item in helpers.streaming_bulk(
            self.client,
            actions,
            chunk_size=CHUNK,
            max_retries=3,
            initial_backoff=1,
            max_backoff=30,
            raise_on_error=False,
            raise_on_exception=True,
        ):
            op, result = next(iter(item.items()))
            if ok or (op == "delete" and result.get("status") == 404):
                done += 1
            else:
                failed.append(f"{result.get('_id')}: {result.get('error')}")
        if failed:
            # Raised after the stream so the caller marks nothing from this batch indexed.
            raise UserError(
                f"elasticsearch rejected {len(failed)} documents, e.g. {failed[0]}", exit_code=EXIT_PARTIAL
            )
        return done

    @_cluster_errors
    def add(self, records: Iterable[Record], fresh: bool = False) -> int:
        # An "index" action replaces any document with the same _id: nothing to skip when fresh.
        self._ensure()
        target = self._target

        def actions() -> Iterator[dict]:
            for rec in records:
                yield {"_op_type": "index", "_index": target, "_id": rec.id, "_source": to_source(rec)}

        return self._bulk(actions())

    @_cluster_errors
    def delete(self, ids: Iterable[str]) -> None:
        self._ensure()
        self._bulk({"_op_type": "delete", "_index": self._target, "_id": i} for i in ids)

    @_cluster_errors
    def commit(self) -> None:
        self._ensure()
        if self._rebuilding:
            new, old = self._rebuilding, self._current()
            self.client.indices.refresh(index=new)
            actions = [{"remove": {"index": i, "alias": self.alias}} for i in old]
            actions.append({"add": {"index": new, "alias": self.alias, "is_write_index": True}})
            self.client.indices.update_aliases(actions=actions)  # atomic: searches never see a gap
            for i in old:
                self.client.indices.delete(index=i)
            self._rebuilding = None
        else:
            self.client.indices.refresh(index=self.alias)

    @_cluster_errors
    def start_rebuild(self) -> None:
        self._ensure()
        self._rebuilding = self._new_index()
        self.client.indices.create(index=self._rebuilding)

    def close(self) -> None:
        if self._rebuilding:  # an unfinished rebuild is abandoned; the alias never moved
            self.client.indices.delete(index=self._rebuilding, ignore_unavailable=True)
            self._rebuilding = None
        self.client.close()

    # -- reads -----------------------------------------------------------------------------

    @_cluster_errors
    def count(self) -> int:
        if not self._current():
            return 0
        return self.client.count(index=self.alias)["count"]

    @_cluster_errors
    def ids(self) -> set[str]:
        from elasticsearch import helpers

        if not self._current():
            return set()
        return {h["_id"] for h in helpers.scan(self.client, index=self.alias, query={"_source": False})}

    @_cluster_errors
    def keys(self, query: Query, contracts_only: bool = False) -> list[int]:
        from elasticsearch import helpers

        if not self._current():
            return []
        scan = helpers.scan(self.client, index=self.alias, query=keys_body(query, contracts_only))
        return [h["fields"]["key"][0] for h in scan]

    @_cluster_errors
    def search(self, query: Query, limit: int = 20, offset: int = 0, facets: bool = True) -> Hits:
        from elasticsearch import NotFoundError

        try:  # one round trip: asking first whether the alias exists would double every search
            response = self.client.search(index=self.alias, body=search_body(query, limit, offset, facets))
        except NotFoundError:  # nothing indexed yet
            return Hits(0, [], {name: {} for name in FACET_SIZES} if facets else {})
        return parse_hits(response.body)
