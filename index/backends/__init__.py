"""Search backends: one small interface, two real engines (tantivy embedded, Elasticsearch).

A backend is a cache of the store: it can be emptied and rebuilt from index/store.py at any time,
so nothing here is the only copy of anything.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable
from dataclasses import dataclass, field

from index.query import Query
from papers.errors import UserError
from papers.schema import Record
from papers.settings import Settings

BACKENDS = ("tantivy", "elasticsearch")
FACETS = {
    "council": "council",
    "type": "page_type",
    "route": "routes",
    "year": "year",
    "category": "category_facet",  # "85311000-2 Social work services with accommodation"
    "supplier": "supplier_keys",
}


@dataclass
class Hits:
    """One page of ranked hits: each hit holds the HIT_FIELDS plus ``score`` and ``snippet``."""

    total: int
    hits: list[dict] = field(default_factory=list)
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


class SearchBackend(abc.ABC):
    """What every search engine must do for committee-papers."""

    name: str
    # Whether a first load may index records as it stores them (index.service.index_records):
    # yes for an engine in this process; a cluster that fails mid-load would abort the store's
    # load with it, so a remote one is sent the stored records afterwards.
    index_while_storing: bool = False

    @abc.abstractmethod
    def add(self, records: Iterable[Record], fresh: bool = False) -> int:
        """Upsert records by id (visible after ``commit``); returns how many were written.

        ``fresh``: the caller knows the index holds none of these ids (it was empty, or is being
        rebuilt), so replacing an older copy can be skipped.
        """

    @abc.abstractmethod
    def delete(self, ids: Iterable[str]) -> None:
        """Remove records by id (visible after ``commit``)."""

    @abc.abstractmethod
    def commit(self) -> None:
        """Make every write so far visible and durable (and finish a rebuild)."""

    @abc.abstractmethod
    def search(self, query: Query, limit: int = 20, offset: int = 0, facets: bool = True) -> Hits:
        """Ranked hits with HTML snippets (``<b>`` highlights, all else escaped) and facet counts."""

    @abc.abstractmethod
    def keys(self, query: Query, contracts_only: bool = False) -> list[int]:
        """The record keys (documents.record_key) of every match, in no particular order."""

    @abc.abstractmethod
    def ids(self) -> set[str]:
        """Every record id in the index."""

    @abc.abstractmethod
    def count(self) -> int:
        """How many records the index holds."""

    @abc.abstractmethod
    def start_rebuild(self) -> None:
        """Begin a rebuild: searches keep seeing the old index until ``commit`` swaps it in."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release writers and connections (uncommitted writes are dropped)."""

    def refused(self) -> dict[str, str]:
        """Records the engine refused since the last call (id -> reason); the rest of each batch
        was written. The embedded engine refuses none."""
        return {}

    def needs_rebuild(self) -> bool:
        """Whether the index in use has an older layout than this version writes (index_records
        then rebuilds it from the store). The embedded engine starts such an index afresh itself."""
        return False


def open_backend(settings: Settings, name: str = "tantivy") -> SearchBackend:
    """The named backend for these settings."""
    if name == "tantivy":
        from index.backends.tantivy_backend import TantivyBackend

        return TantivyBackend(settings.index_dir)
    if name == "elasticsearch":
        from index.backends.elastic import ElasticBackend

        if not settings.elasticsearch_url:
            raise UserError("the elasticsearch backend needs ELASTICSEARCH_URL (e.g. http://localhost:9200)")
        return ElasticBackend(settings.elasticsearch_url)
    raise UserError(f"unknown backend '{name}' (one of: {', '.join(BACKENDS)})")
