"""The embedded default: a tantivy index in a folder under the data directory.

BM25 over an English-stemmed title (boosted) and body; council, page type, routes, dates and the
contract terms as fast fields, so filters, ranges and facet counts never touch stored documents.
Queries are built programmatically from index/query.py: user text is analysed with the same
analyzer as the index, and never passed to tantivy's query-string parser.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import json
import logging
import os
import shutil
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import tantivy
from tantivy import FieldType, Occur
from tantivy import Query as TQ

from index.backends import FACETS, Hits, SearchBackend
from index.documents import HIT_FIELDS, to_fields
from index.query import AnyOf, Clause, Match, Phrase, Query, Range, Word
from papers.errors import UserError
from papers.schema import Record

log = logging.getLogger(__name__)

Counts = tuple[int, dict[str, dict[str, int]]]  # a query's total and its facet counts
T = TypeVar("T")

# Bump when the schema below changes: an index built by another version is rebuilt from the store.
INDEX_VERSION = 4  # 2: suppliers and CPV category; 3: body_rest (text past BODY_CHARS); 4: title in body
META_FILE = "papers-index.json"
TITLE_BOOST = 3.0
SNIPPET_CHARS = 240
# Bytes, shared by the threads; a thread flushes a segment when its share is full. Larger first
# segments leave fewer to merge: at 100k records 200 MB rather than 96 wrote 15% less and loaded
# 8% faster, for about 100 MB more at the peak (README, "Running at national scale").
WRITER_HEAP = 200_000_000
# Tokenising and stemming a page costs tantivy about 250 us of CPU, the Python that reads and
# converts it about half that: with one indexing thread the engine, not the reader, set the pace.
WRITER_THREADS = 2
# A second thread for the facet pass of a search (see TantivyBackend.search).
_PASSES = ThreadPoolExecutor(max_workers=2, thread_name_prefix="tantivy-facets")
FACET_SIZES = {"council": 50, "type": 20, "route": 20, "year": 50, "category": 50, "supplier": 50}
ALL_TERMS = 1_000_000  # a terms aggregation's size when every term's count is wanted
FACET_CACHE_SIZE = 256  # queries whose total and facet counts are kept for the current generation
# Where a bare word or phrase is looked for. The title is indexed in the body too (to_document): a
# word is then one posting list per body part, not a union with the title's; the title only scores.
# At 1M records three common words matched in 13 ms instead of 35, and counted by facet in 41 ms, not 83.
MATCH_FIELDS = ("body", "body_rest")
TEXT_TOKENIZER = "en_stem"  # simple tokenizer, long tokens dropped, lowercased, English Snowball


def _analyzer() -> tantivy.TextAnalyzer:
    """The same chain as tantivy's built-in en_stem, to turn query words into index terms."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_integer_field("key", indexed=True, fast=True)
    sb.add_text_field("title", stored=True, tokenizer_name=TEXT_TOKENIZER)
    sb.add_text_field("body", stored=True, tokenizer_name=TEXT_TOKENIZER)
    sb.add_text_field("body_rest", tokenizer_name=TEXT_TOKENIZER)  # searchable, never stored
    sb.add_text_field("committee", tokenizer_name=TEXT_TOKENIZER)
    sb.add_text_field("decision_maker", tokenizer_name=TEXT_TOKENIZER)
    sb.add_text_field("supplier_words", tokenizer_name=TEXT_TOKENIZER)
    for keyword in ("council", "page_type", "routes", "supplier_keys", "category_prefixes", "category_facet"):
        sb.add_text_field(keyword, fast=True, tokenizer_name="raw")
    sb.add_date_field("decision_date", indexed=True, fast=True)
    sb.add_integer_field("year", indexed=True, fast=True)
    sb.add_boolean_field("is_contract", indexed=True, fast=True)
    for number in ("annual_value", "total_value", "term_months", "extension_months"):
        sb.add_float_field(number, indexed=True, fast=True)
    sb.add_bytes_field("hit", stored=True)  # the HIT_FIELDS as JSON: one read per hit
    return sb.build()


def to_date(value: str) -> dt.datetime:
    """An ISO day (or YYYY-MM / YYYY: the first day of that period) as a UTC datetime."""
    parts = [int(p) for p in value.split("-")] + [1, 1]
    return dt.datetime(parts[0], parts[1], parts[2], tzinfo=dt.timezone.utc)


class Compiler:
    """Turns the query model into tantivy Query objects for one schema."""

    def __init__(self, schema: tantivy.Schema):
        self.schema = schema
        self.analyzer = _analyzer()

    def compile(self, query: Query, contracts_only: bool = False) -> TQ:
        parts = [(Occur.Must, q) for q in map(self.clause, query.must) if q is not None]
        parts += [(Occur.MustNot, q) for q in map(self.clause, query.must_not) if q is not None]
        if contracts_only:
            parts.append((Occur.Must, TQ.term_query(self.schema, "is_contract", True)))
        if not any(occur == Occur.Must for occur, _ in parts):
            parts.append((Occur.Must, TQ.all_query()))
        return parts[0][1] if len(parts) == 1 else TQ.boolean_query(parts)

    def key(self, query: Query) -> tuple[frozenset[str], frozenset[str]]:
        """What a query's matches depend on: each clause as tantivy runs it (analysed, so case and
        stemming aside), as sets (order and repeats aside). Equal keys, equal matches."""
        must = frozenset(repr(q) for q in map(self.clause, query.must) if q is not None)
        return must, frozenset(repr(q) for q in map(self.clause, query.must_not) if q is not None)

    def text_query(self, query: Query) -> TQ | None:
        """Only the positive words and phrases: what snippets should highlight."""
        parts = [(Occur.Should, q) for q in map(self.clause, query.text_clauses()) if q is not None]
        return TQ.boolean_query(parts) if parts else None

    def clause(self, clause: Clause) -> TQ | None:
        if isinstance(clause, (Word, Phrase)):
            return self._text(clause.text)
        if isinstance(clause, Match):
            if clause.text:
                return self._words(clause.field, self.analyzer.analyze(clause.value))
            return TQ.term_query(self.schema, clause.field, clause.value)
        if isinstance(clause, Range):
            return self._range(clause)
        if isinstance(clause, AnyOf):
            options = [q for q in map(self.clause, clause.options) if q is not None]
            if not options:
                return None
            return TQ.boolean_query([(Occur.Should, q) for q in options])
        raise TypeError(f"unknown clause {clause!r}")

    def _text(self, text: str) -> TQ | None:
        """Body (either part, the title included) to match, title (boosted) to score; several tokens
        ("care services", "e-mail") form a phrase."""
        tokens = self.analyzer.analyze(text)
        if not tokens:
            return None  # punctuation only: nothing to look for
        bodies = TQ.boolean_query([(Occur.Should, self._words(field, tokens)) for field in MATCH_FIELDS])
        title = TQ.boost_query(self._words("title", tokens), TITLE_BOOST)
        return TQ.boolean_query([(Occur.Must, bodies), (Occur.Should, title)])

    def _words(self, field: str, tokens: list[str]) -> TQ:
        if len(tokens) == 1:
            return TQ.term_query(self.schema, field, tokens[0])
        return TQ.phrase_query(self.schema, field, list(enumerate(tokens)))

    def _range(self, r: Range) -> TQ:
        if r.field == "decision_date":
            kind, low, high = FieldType.Date, r.low and to_date(str(r.low)), r.high and to_date(str(r.high))
        elif r.field == "year":
            kind, low, high = FieldType.Integer, r.low, r.high
        else:
            kind = FieldType.Float
            low = None if r.low is None else float(r.low)
            high = None if r.high is None else float(r.high)
        return TQ.range_query(
            self.schema, r.field, kind, low, high, include_lower=r.include_low, include_upper=r.include_high
        )


# Days repeat across records (a few thousand in a million records): each is made once.
_day = functools.lru_cache(maxsize=1 << 15)(to_date)


def to_document(fields: dict) -> tantivy.Document:
    doc = tantivy.Document()
    for name in ("id", "title", "body", "body_rest", "committee", "decision_maker", "council", "page_type"):
        if fields.get(name):
            doc.add_text(name, fields[name])
    if fields["title"]:
        # A second value, after the text (the body's first value stays the page's own text, if
        # empty): words and phrases of the title then match in the body alone (see MATCH_FIELDS).
        if not fields["body"]:
            doc.add_text("body", "")
        doc.add_text("body", fields["title"])
    for name in ("routes", "supplier_keys", "supplier_words", "category_prefixes"):
        for value in fields[name]:
            doc.add_text(name, value)
    if fields["category_facet"]:
        doc.add_text("category_facet", fields["category_facet"])
    doc.add_integer("key", fields["key"])
    doc.add_boolean("is_contract", fields["is_contract"])
    if fields["decision_date"]:
        doc.add_date("decision_date", _day(fields["decision_date"]))
        doc.add_integer("year", fields["year"])
    for name in ("annual_value", "total_value", "term_months", "extension_months"):
        if fields.get(name) is not None:
            doc.add_float(name, float(fields[name]))
    doc.add_bytes("hit", json.dumps({k: fields.get(k) for k in HIT_FIELDS}).encode("utf-8"))
    return doc


class FacetCache:
    """Total and facet counts per query, for one generation of the index only.

    Counting and aggregating every match is most of a search's cost, and a researcher paging
    through results, or following a facet and back, asks for the same counts again. The index
    changes only at a commit, which rewrites meta.json: its bytes identify the generation. New
    bytes reload the searcher and start a new generation before the next search, and counts are
    filed and found under the generation they were computed in, so they are never served beside
    hits from a different commit. Figures of the whole index (its facet counts, its keys), from
    which queries matching most of it are worked out, are kept the same way (``per_commit``).
    """

    def __init__(self, meta: Path, size: int = FACET_CACHE_SIZE):
        self.meta = meta
        self.size = size
        self.generation = 0
        self._meta_bytes: bytes | None = None
        self._entries: OrderedDict[tuple, tuple[int, dict]] = OrderedDict()
        self._per_commit: dict[str, Any] = {}  # see per_commit
        self._per_commit_generation = 0
        self._lock = threading.Lock()

    def check(self, index: tantivy.Index) -> int:
        """The current generation, reloading ``index`` first if a commit happened since the last check."""
        try:
            meta = self.meta.read_bytes()
        except FileNotFoundError:
            meta = b""
        with self._lock:
            if meta != self._meta_bytes:
                # Read before reloading: the searcher is then at least as new as this generation.
                index.reload()
                self._entries.clear()
                self._meta_bytes = meta
                self.generation += 1
            return self.generation

    def clear(self) -> None:
        """Forget every query's counts (the index-wide counts stay: they change only at a commit)."""
        with self._lock:
            self._entries.clear()

    def per_commit(self, generation: int, name: str, make: Callable[[], T]) -> T:
        """A figure of the whole index (``name``: e.g. its facet counts) at this generation, made
        by ``make`` once per commit."""
        with self._lock:
            if self._per_commit_generation == generation and name in self._per_commit:
                return self._per_commit[name]
        value = make()
        with self._lock:
            if generation == self.generation:
                if self._per_commit_generation != generation:
                    self._per_commit, self._per_commit_generation = {}, generation
                self._per_commit[name] = value
        return value

    def get(self, generation: int, key: tuple) -> tuple[int, dict] | None:
        with self._lock:
            if generation != self.generation or key not in self._entries:
                return None
            self._entries.move_to_end(key)
            total, facets = self._entries[key]
        return total, {name: dict(counts) for name, counts in facets.items()}

    def put(self, generation: int, key: tuple, total: int, facets: dict) -> None:
        with self._lock:
            if generation != self.generation:
                return  # a commit landed while these were counted: they describe an older index
            self._entries[key] = (total, {name: dict(counts) for name, counts in facets.items()})
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


class TantivyBackend(SearchBackend):
    """A tantivy index in ``path``; one writer per process, opened on first write."""

    name = "tantivy"
    index_while_storing = True

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.schema = build_schema()
        self._open()
        self.compiler = Compiler(self.schema)
        self._writer: tantivy.IndexWriter | None = None
        self.facet_cache = FacetCache(self.path / "meta.json")

    def _open(self) -> None:
        meta = self.path / META_FILE
        if self.path.exists() and any(self.path.iterdir()):
            version = json.loads(meta.read_text()).get("version") if meta.exists() else None
            if version != INDEX_VERSION:
                # The index is a cache of the store: an old layout is dropped, then refilled.
                log.warning(
                    "index at %s has layout %s, not %s: starting it afresh", self.path, version, INDEX_VERSION
                )
                shutil.rmtree(self.path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.index = tantivy.Index(self.schema, path=str(self.path), reuse=True)
        if not meta.exists():
            # Readers (web workers) open the index concurrently: write the marker once, atomically.
            tmp = meta.with_name(f"{META_FILE}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"version": INDEX_VERSION}))
            os.replace(tmp, meta)

    @property
    def writer(self) -> tantivy.IndexWriter:
        if self._writer is None:
            try:
                self._writer = self.index.writer(WRITER_HEAP, WRITER_THREADS)
            except ValueError as exc:  # tantivy's lock file: another process is writing
                raise UserError(
                    f"the index at {self.path} is being written by another process ({exc})", exit_code=3
                ) from exc
        return self._writer

    def add(self, records: Iterable[Record], fresh: bool = False) -> int:
        n = 0
        writer = self.writer
        for rec in records:
            # Each pending delete is held in memory until commit: on a fresh load they are pure cost.
            if not fresh:
                writer.delete_documents_by_term("id", rec.id)
            writer.add_document(to_document(to_fields(rec)))
            n += 1
        return n

    def delete(self, ids: Iterable[str]) -> None:
        for record_id in ids:
            self.writer.delete_documents_by_term("id", record_id)

    def commit(self) -> None:
        if self._writer is None:
            return
        self._writer.commit()
        self._writer.wait_merging_threads()  # also releases the writer lock for other processes
        self._writer = None
        self.index.reload()

    def start_rebuild(self) -> None:
        # Deletes become visible only at commit, so searches see the old index until then.
        self.writer.delete_all_documents()

    def close(self) -> None:
        if self._writer is not None:
            self._writer.rollback()
            self._writer = None

    def _searcher(self) -> tantivy.Searcher:
        """A searcher over the latest commit (another process's included)."""
        return self._current()[1]

    def _current(self) -> tuple[int, tantivy.Searcher]:
        """The index generation and a searcher at least as new (see FacetCache)."""
        generation = self.facet_cache.check(self.index)
        return generation, self.index.searcher()

    def count(self) -> int:
        return self._searcher().num_docs

    def ids(self) -> set[str]:
        searcher = self._searcher()
        if not searcher.num_docs:
            return set()
        hits = searcher.search(TQ.all_query(), searcher.num_docs).hits
        return {searcher.doc(addr).get_first("id") for _, addr in hits}

    def keys(self, query: Query, contracts_only: bool = False) -> list[int]:
        generation, searcher = self._current()
        if not searcher.num_docs:
            return []
        compiled = self.compiler.compile(query, contracts_only)
        everything = self.compiler.compile(Query(), contracts_only)
        # Reading a key costs about the same for every match: a query matching most of its scope
        # (every record, or every contract) is read as the scope's keys, kept per commit, less
        # the keys of what it does not match. Counting first is cheap beside reading.
        scope = self.facet_cache.per_commit(
            generation, f"keys:{contracts_only}", lambda: np.unique(self._keys(searcher, everything))
        )
        if 2 * searcher.search(compiled, 1, count=True).count <= len(scope):
            return self._keys(searcher, compiled)
        rest = TQ.boolean_query([(Occur.Must, everything), (Occur.MustNot, compiled)])
        left = np.sort(np.array(self._keys(searcher, rest), dtype=np.int64))
        if not len(left):
            return scope.tolist()
        at = np.minimum(np.searchsorted(left, scope), len(left) - 1)  # both sorted: lookups in order
        return scope[left[at] != scope].tolist()

    @staticmethod
    def _keys(searcher: tantivy.Searcher, compiled: TQ) -> list[int]:
        """The keys of every match of a compiled query, in no order."""
        # Unordered: a constant score spares scoring every match (about half the search's cost).
        unscored = TQ.const_score_query(compiled, 1.0)
        addrs = [addr for _, addr in searcher.search(unscored, searcher.num_docs, count=False).hits]
        return searcher.fast_field_values("key", addrs) if addrs else []

    def search(self, query: Query, limit: int = 20, offset: int = 0, facets: bool = True) -> Hits:
        generation, searcher = self._current()
        compiled = self.compiler.compile(query)
        key = self.compiler.key(query)
        cached = self.facet_cache.get(generation, key)
        # tantivy releases the GIL while it searches: the facet pass runs beside the ranking, and
        # counts the matches too, so the ranking need not (it may then skip hits that cannot place).
        pending = None
        if facets and cached is None:
            # Decided here: the analyzer is not shared with the other thread.
            by_complement = 2 * self._at_least(searcher, query) > searcher.num_docs
            pending = _PASSES.submit(self._facets, generation, searcher, compiled, by_complement)
        result = searcher.search(
            compiled, max(1, limit), count=cached is None and pending is None, offset=offset
        )
        # The hits are read and their snippets made while the facet pass, the longer, still runs.
        highlight = self.compiler.text_query(query)
        snippets = None
        if highlight is not None and result.hits:
            snippets = tantivy.SnippetGenerator.create(searcher, highlight, self.schema, "body")
            snippets.set_max_num_chars(SNIPPET_CHARS)
        hits = []
        for score, addr in result.hits[:limit]:
            doc = searcher.doc(addr)
            hit = json.loads(doc.get_first("hit"))
            hit["score"] = round(score, 4)
            hit["snippet"] = self._snippet(doc, snippets)
            hits.append(hit)
        if cached is not None:
            total, counts = cached
        elif pending is not None:
            total, counts = pending.result()
            self.facet_cache.put(generation, key, total, counts)
        else:
            total, counts = result.count, {}
        return Hits(total, hits, counts if facets else {})

    @staticmethod
    def _snippet(doc: tantivy.Document, snippets: tantivy.SnippetGenerator | None) -> str:
        """HTML: matched words in <b>, everything else escaped (tantivy's to_html escapes)."""
        body = doc.get_first("body") or ""  # the page's text; the title is the body's second value
        if snippets is not None:
            snippet = snippets.snippet_from_doc(tantivy.Document(body=[body])).to_html()
            if snippet:
                return snippet
        return html.escape(body[:SNIPPET_CHARS].rsplit(" ", 1)[0] if len(body) > SNIPPET_CHARS else body)

    def _facets(
        self, generation: int, searcher: tantivy.Searcher, compiled: TQ, by_complement: bool
    ) -> Counts:
        """(total, facet counts) of a query's matches.

        Counting is linear in the documents aggregated. A query matching most of the index (a
        common word; see _at_least) is counted ``by_complement``: the counts over the whole index,
        made once per commit, less those over the documents it does not match. Either way the
        counts are exact; only the cost differs.
        """
        if not by_complement:
            return _counts(searcher.aggregate(compiled, _aggregations(FACET_SIZES)), FACET_SIZES)
        every = {name: ALL_TERMS for name in FACET_SIZES}
        total, counts = self.facet_cache.per_commit(
            generation,
            "facets",
            lambda: _counts(searcher.aggregate(TQ.all_query(), _aggregations(every)), every),
        )
        rest = TQ.boolean_query([(Occur.Must, TQ.all_query()), (Occur.MustNot, compiled)])
        rest_total, rest_counts = _counts(searcher.aggregate(rest, _aggregations(every)), every)
        facets = {}
        for name, size in FACET_SIZES.items():
            left = {k: n - rest_counts[name].get(k, 0) for k, n in counts[name].items()}
            ranked = sorted(((k, n) for k, n in left.items() if n > 0), key=lambda kn: (-kn[1], kn[0]))
            facets[name] = dict(ranked[:size])
        return total - rest_total, facets

    def _at_least(self, searcher: tantivy.Searcher, query: Query) -> int:
        """A cheap estimate of how many documents a query matches at the least, from the document
        frequencies of its single words (a word matches at least as many documents as any one of
        its fields holds it in; documents deleted but not yet merged away count too, which only
        sways the choice of side _facets counts). Other clauses are taken to match nothing."""
        n = searcher.num_docs
        if query.must_not:
            return 0
        bounds = []
        for clause in query.must:
            tokens = self.compiler.analyzer.analyze(clause.text) if isinstance(clause, Word) else []
            if len(tokens) != 1:
                return 0
            bounds.append(max(searcher.doc_freq(field, tokens[0]) for field in MATCH_FIELDS))
        # Each clause misses at most n - bound documents: together they miss at most the sum.
        return max(0, n - sum(n - b for b in bounds))


def _aggregations(sizes: dict[str, int]) -> dict:
    """Terms counts for each facet (up to its size of the commonest terms), and the match count."""
    aggs: dict = {name: {"terms": {"field": FACETS[name], "size": size}} for name, size in sizes.items()}
    aggs["total"] = {"value_count": {"field": "key"}}  # every document has one key
    return aggs


def _counts(result: dict, sizes: dict[str, int]) -> Counts:
    facets = {
        name: {str(b["key"]): b["doc_count"] for b in result.get(name, {}).get("buckets", [])}
        for name in sizes
    }
    return int(result.get("total", {}).get("value") or 0), facets
