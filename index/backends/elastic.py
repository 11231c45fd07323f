"""Elasticsearch (official client 9.x, servers 9.x): for users who outgrow one machine.

An index template fixes the settings and mapping for every versioned index
``<alias>-v<N>-<timestamp>``; searches and writes go through the alias. A rebuild fills a fresh
index while searches keep using the old one, then swaps the alias in one atomic ``update_aliases``
call: no downtime. An index whose layout ``N`` is older than INDEX_VERSION is rebuilt that way.
The query body is built from index/query.py (never from a query string), and text is analysed as
tantivy analyses it (see ANALYSIS), so both engines find the same records. Request bodies are
plain dicts and bytes that the unit tests check without a cluster.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator

from index.backends import FACETS, Hits, SearchBackend
from index.documents import HIT_FIELDS, to_fields
from index.query import AnyOf, Clause, Match, Phrase, Query, Range, Word
from index.service import MAX_SEARCH_LIMIT, MAX_SEARCH_OFFSET
from papers.errors import EXIT_PARTIAL, EXIT_USAGE, UserError
from papers.schema import Record

log = logging.getLogger(__name__)

# Bump with any settings or mapping change: an index of an older layout is rebuilt from the store
# (2: tantivy's analysis chain, objects not nested; 3: suppliers and category).
INDEX_VERSION = 3
DEFAULT_ALIAS = "papers"
# Client 9.x sends "compatible-with=9" on every request, which 8.x servers refuse (400
# media_type_header_exception); 9.x is checked on the first request (see _check_cluster).
SUPPORTED_MAJORS = (9,)
TITLE_BOOST = 3.0
SNIPPET_CHARS = 240
FACET_SIZES = {"council": 50, "type": 20, "route": 20, "year": 50, "category": 50, "supplier": 50}
# Every page the service allows (offset + limit) must fit the index's result window.
RESULT_WINDOW = MAX_SEARCH_OFFSET + MAX_SEARCH_LIMIT
# Characters of a body the highlighter reads, in the index setting and in every request, so a large
# agenda pack gets a snippet from its first million characters instead of failing the results page.
# The whole body stays searchable.
HIGHLIGHT_CHARS = 1_000_000
BULK_BYTES = 8 * 1024 * 1024  # per bulk request body; a larger single document goes alone
BULK_RETRIES = 5  # for documents the cluster refuses as busy (RETRY_STATUSES), with doubling waits
BACKOFF = (1.0, 30.0)  # first and longest wait between bulk retries, seconds
RETRY_STATUSES = (429, 503)
# Statuses that say the request itself is wrong: retrying later cannot help, so exit 2.
PERMANENT_STATUSES = (400, 401, 403, 413)
# Our analysis chain is tantivy's en_stem (index/backends/tantivy_backend.py): split on anything
# that is not a letter or digit (Rust's char::is_alphanumeric), drop tokens of 40+ bytes, lowercase,
# Snowball English ("porter2"). No stop words: "IT services", "-it" and phrases keep every word.
ANALYZER = "papers_text"
ANALYSIS = {
    "tokenizer": {"papers_alnum": {"type": "pattern", "pattern": "[^\\p{IsAlphabetic}\\p{N}]+"}},
    "filter": {
        "papers_long": {"type": "length", "max": 39},  # counts UTF-16 units; tantivy counts bytes
        "papers_porter2": {"type": "stemmer", "language": "porter2"},
    },
    "analyzer": {
        ANALYZER: {
            "type": "custom",
            "tokenizer": "papers_alnum",
            "filter": ["papers_long", "lowercase", "papers_porter2"],
        }
    },
}
DATE = {
    "type": "date",
    "format": "strict_date_optional_time||strict_year_month||strict_year",
    # one unparseable date must not cost the whole record its place in the index
    "ignore_malformed": True,
}
ENGLISH_TEXT = {"type": "text", "analyzer": ANALYZER}
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
            "type": "object",  # not nested: see to_source
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
            "type": "object",  # not nested: see to_source
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
        "template": {
            "settings": {
                "number_of_shards": 1,
                "refresh_interval": "1s",
                "max_result_window": RESULT_WINDOW,
                "highlight.max_analyzed_offset": HIGHLIGHT_CHARS,
                "analysis": ANALYSIS,
            },
            "mappings": MAPPINGS,
        },
        "meta": {"managed_by": "committee-papers", "version": INDEX_VERSION},
    }


def to_source(record: Record) -> dict:
    """The document body for a record: the shared flat fields plus money and durations.

    Mentions are plain objects, not nested documents: nothing queries a mention as a unit, and
    nested documents count against index.mapping.nested_objects.limit (10,000 per document), which
    a large agenda pack can pass."""
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
            "max_analyzed_offset": HIGHLIGHT_CHARS,
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


Action = tuple[str, list[bytes]]  # a record id and the NDJSON lines of its bulk action

SUPPORTED = (
    "committee-papers works with Elasticsearch 9.x servers only (through the Python client "
    "elasticsearch 9.x): install or upgrade the cluster to Elasticsearch 9.x, or use --backend tantivy"
)


def _ndjson(obj: dict) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def index_action(index: str, record: Record) -> Action:
    """Index (replace by _id) one record into ``index``."""
    return record.id, [_ndjson({"index": {"_index": index, "_id": record.id}}), _ndjson(to_source(record))]


def delete_action(index: str, record_id: str) -> Action:
    return record_id, [_ndjson({"delete": {"_index": index, "_id": record_id}})]


def chunks(actions: Iterable[Action], max_bytes: int = BULK_BYTES) -> Iterator[list[Action]]:
    """Actions grouped into bulk request bodies of at most ``max_bytes`` (each line and its newline
    counted); a document larger than that alone makes a request."""
    chunk: list[Action] = []
    size = 0
    for action in actions:
        n = sum(len(line) + 1 for line in action[1])
        if chunk and size + n > max_bytes:
            yield chunk
            chunk, size = [], 0
        chunk.append(action)
        size += n
    if chunk:
        yield chunk


def _reason(error: object) -> str:
    """One line from an Elasticsearch error object: its type, reason and first cause."""
    if not isinstance(error, dict):
        return str(error)
    text = f"{error.get('type')}: {error.get('reason')}"
    cause = error.get("caused_by")
    if isinstance(cause, dict):
        text += f" (caused by {cause.get('type')}: {cause.get('reason')})"
    return text.splitlines()[0][:500]


def _cluster_errors(method: Callable) -> Callable:
    """A cluster's refusal becomes one clear line, not a traceback (see ElasticBackend._error); the
    first call of a process checks the server first (see ElasticBackend._check_cluster)."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        from elastic_transport import TransportError
        from elasticsearch import ApiError

        try:
            if not self._checked:
                self._check_cluster()
            return method(self, *args, **kwargs)
        except (TransportError, ApiError) as exc:
            raise self._error(exc) from exc

    return wrapper


class ElasticBackend(SearchBackend):
    """Records in the Elasticsearch index behind ``alias``."""

    name = "elasticsearch"
    sleep = staticmethod(time.sleep)  # between bulk retries; tests replace it

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
        self._checked = False
        self._refused: dict[str, str] = {}

    # -- the cluster -----------------------------------------------------------------------

    def _check_cluster(self) -> None:
        """Before the first request of a process: a supported server, and the alias name free."""
        from elasticsearch import AuthorizationException

        try:
            number = str(self.client.info()["version"]["number"])
        except AuthorizationException:  # a key without the monitor privilege: an 8.x server still
            number = None  # answers the next request with media_type_header_exception (see _error)
        if number is not None and int(number.split(".")[0]) not in SUPPORTED_MAJORS:
            raise UserError(f"elasticsearch at {self.url} is version {number}; {SUPPORTED}", EXIT_USAGE)
        indices = self._indices()
        if self.alias in indices:
            # Searches would quietly read it, and creating the alias would fail.
            raise UserError(
                f"elasticsearch at {self.url}: '{self.alias}' is an index, not the alias committee-papers "
                f"reads through; delete or rename that index (DELETE /{self.alias}), then run "
                "`papers index --rebuild --backend elasticsearch`",
                EXIT_USAGE,
            )
        old = sorted(n for n, on in indices.items() if self.alias in on and self._layout(n) != INDEX_VERSION)
        if old:  # searches still work, with the old analysis; the next writer rebuilds (needs_rebuild)
            log.warning(
                "elasticsearch index %s has an older layout than this version writes (v%d): "
                "`papers index --backend elasticsearch` rebuilds it",
                ", ".join(old),
                INDEX_VERSION,
            )
        self._checked = True

    def _error(self, exc: Exception) -> UserError:
        """Exit 2 when the request itself is wrong (retrying cannot help); else 1: retry later."""
        from elasticsearch import ApiError, UnsupportedProductError

        where = f"elasticsearch at {self.url}"
        if isinstance(exc, UnsupportedProductError):
            return UserError(f"{where} is not Elasticsearch; {SUPPORTED}", EXIT_USAGE)
        if isinstance(exc, ApiError):
            error = exc.body.get("error", exc.message) if isinstance(exc.body, dict) else exc.message
            if isinstance(error, dict) and error.get("type") == "media_type_header_exception":
                # What an 8.x (or older) server answers the 9.x client's compatible-with=9 header.
                return UserError(
                    f"{where} refused the 9.x client ({_reason(error)}); {SUPPORTED}", EXIT_USAGE
                )
            if exc.meta.status in PERMANENT_STATUSES:
                return UserError(
                    f"{where} refused the request: {exc.meta.status} {_reason(error)}", EXIT_USAGE
                )
            return UserError(f"{where}: {exc.meta.status} {_reason(error)}", EXIT_PARTIAL)
        first = str(exc).splitlines()[0][:300]
        return UserError(f"{where}: {first}", EXIT_PARTIAL)

    # -- layout ----------------------------------------------------------------------------

    def _new_index(self) -> str:
        return f"{self.alias}-v{INDEX_VERSION}-{time.time_ns() // 1_000_000}"

    def _layout(self, index: str) -> int | None:
        """The layout version in one of our index names, None for any other index."""
        m = re.fullmatch(rf"{re.escape(self.alias)}-v(\d+)-\d+", index)
        return int(m.group(1)) if m else None

    def _indices(self) -> dict[str, set[str]]:
        """Our indices, and any index named like the alias, each with the aliases on it."""
        from elasticsearch import NotFoundError

        try:
            found = self.client.indices.get_alias(
                index=f"{self.alias},{self.alias}-v*", ignore_unavailable=True
            ).body
        except NotFoundError:
            return {}
        return {name: set(info.get("aliases", {})) for name, info in found.items()}

    def _current(self) -> list[str]:
        if not self.client.indices.exists_alias(name=self.alias):
            return []
        return sorted(self.client.indices.get_alias(name=self.alias).body)

    def _ensure(self) -> None:
        """Install the template and, on first use, an empty index behind the alias."""
        if self._ready:
            return
        self.client.indices.put_index_template(**index_template(self.alias))
        self._remove_leftovers()
        if not self._current():
            self.client.indices.create(
                index=self._new_index(), aliases={self.alias: {"is_write_index": True}}
            )
        self._ready = True

    def _remove_leftovers(self) -> None:
        """Delete our indices that no alias points to (a failed or killed rebuild's), saying which.

        Only writers call this, and one writer at a time holds the data directory's lock, so none
        of them is being filled."""
        for name, aliases in sorted(self._indices().items()):
            if self._layout(name) is not None and self.alias not in aliases and name != self._rebuilding:
                self.client.indices.delete(index=name)
                log.warning(
                    "removed elasticsearch index %s: no alias points to it (an unfinished rebuild)", name
                )

    def _abandon_rebuild(self) -> None:
        """Drop an unfinished rebuild's index; the alias never moved, so searches saw nothing of it."""
        if self._rebuilding is None:
            return
        name, self._rebuilding = self._rebuilding, None
        try:
            self.client.indices.delete(index=name, ignore_unavailable=True)
        except Exception as exc:  # the cluster is gone: the next writer removes it (_remove_leftovers)
            log.warning("could not remove the unfinished rebuild %s (%s); the next index run will", name, exc)

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """A write that fails during a rebuild abandons it, so no later call in this process can
        swap a half-filled index in behind the alias."""
        try:
            yield
        except BaseException:
            self._abandon_rebuild()
            raise

    @property
    def _target(self) -> str:
        return self._rebuilding or self.alias

    @_cluster_errors
    def needs_rebuild(self) -> bool:
        return any(self._layout(i) != INDEX_VERSION for i in self._current())

    # -- writes ----------------------------------------------------------------------------

    def _bulk(self, actions: Iterable[Action]) -> tuple[int, dict[str, str]]:
        """Send actions in bulk requests of at most BULK_BYTES, retrying documents the cluster
        refuses as busy; how many succeeded, and the ones it refused (id -> reason)."""
        from elasticsearch import ApiError

        done, refused = 0, {}
        for chunk in chunks(actions, BULK_BYTES):
            pending, attempt = chunk, 0
            while pending:
                try:
                    response = self.client.bulk(operations=[line for _, lines in pending for line in lines])
                except ApiError as exc:
                    if exc.meta.status != 413 or len(pending) != 1:
                        raise
                    # One document over the cluster's http.max_content_length: that record's failure.
                    refused[pending[0][0]] = "413: larger than the cluster accepts in one request"
                    break
                busy = []
                for action, item in zip(pending, response["items"], strict=True):
                    ((op, result),) = item.items()
                    status = result.get("status", 500)
                    if status < 300 or (op == "delete" and status == 404):
                        done += 1
                    elif status in RETRY_STATUSES:
                        busy.append(action)
                    else:
                        refused[action[0]] = f"{status} {_reason(result.get('error'))}"
                if busy and attempt == BULK_RETRIES:
                    raise UserError(
                        f"elasticsearch at {self.url} is busy: {len(busy)} documents still refused after "
                        f"{BULK_RETRIES} retries; they stay queued for the next run",
                        exit_code=EXIT_PARTIAL,
                    )
                if busy:
                    self.sleep(min(BACKOFF[1], BACKOFF[0] * 2**attempt))
                    attempt += 1
                pending = busy
        return done, refused

    @_cluster_errors
    def add(self, records: Iterable[Record], fresh: bool = False) -> int:
        # An "index" action replaces any document with the same _id: nothing to skip when fresh.
        with self._writing():
            self._ensure()
            target = self._target
            done, refused = self._bulk(index_action(target, rec) for rec in records)
        for record_id, reason in refused.items():
            log.error(
                "elasticsearch refused record %s (%s); it stays queued for the next run", record_id, reason
            )
        self._refused.update(refused)
        return done

    def refused(self) -> dict[str, str]:
        refused, self._refused = self._refused, {}
        return refused

    @_cluster_errors
    def delete(self, ids: Iterable[str]) -> None:
        with self._writing():
            self._ensure()
            _, refused = self._bulk(delete_action(self._target, i) for i in ids)
        if refused:
            record_id, reason = next(iter(refused.items()))
            raise UserError(
                f"elasticsearch refused {len(refused)} deletions, e.g. {record_id}: {reason}",
                exit_code=EXIT_PARTIAL,
            )

    @_cluster_errors
    def commit(self) -> None:
        with self._writing():
            self._ensure()
            if self._rebuilding:
                new, old = self._rebuilding, self._current()
                self.client.indices.refresh(index=new)
                actions = [{"remove": {"index": i, "alias": self.alias}} for i in old]
                actions.append({"add": {"index": new, "alias": self.alias, "is_write_index": True}})
                self.client.indices.update_aliases(actions=actions)  # atomic: searches never see a gap
                self._rebuilding = None
                for i in old:
                    self.client.indices.delete(index=i)
            else:
                self.client.indices.refresh(index=self.alias)

    @_cluster_errors
    def start_rebuild(self) -> None:
        self._ensure()
        self._abandon_rebuild()  # an earlier rebuild in this process that never finished
        self._rebuilding = self._new_index()
        self.client.indices.create(index=self._rebuilding)

    def close(self) -> None:
        self._abandon_rebuild()  # an unfinished rebuild is abandoned; the alias never moved
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
