"""The one record schema: what crawling produces, extraction fills and indexing consumes.

Field names and meanings follow the gold annotation guide (corpora GUIDE.md): the flat content
fields (money, durations, dates, decision_date, decision_maker, contract_start, contract_end,
procurement, resolutions) are exactly what the shared scorer reads. Every extracted item carries
``start``/``end`` character offsets into ``Record.text`` so ``text[start:end] == item.text``.

``Record.contract`` is the per-document summary that maps onto Open Contracting (OCDS 1.1) terms:
value -> ``Value``, period -> ``Period`` (startDate, endDate, maxExtentDate, durationInMonths),
routes -> ``procurementMethod`` + ``procurementMethodDetails``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.1"  # 1.1: suppliers and category

PageType = Literal[
    "decision_details",
    "issue_decisions",
    "issue_meetings",
    "issue_details",
    "agenda_item",
    "report",
    "minutes",
    "meeting",
    "other",
]
PAGE_TYPES: frozenset[str] = frozenset(get_args(PageType))
Per = Literal["year", "month", "week", "day", "hour", "unit", "total"]
Qualifier = Literal["max", "approx", "min"]
DurationKind = Literal["term", "extension", "other"]
Outcome = Literal["approved", "noted", "deferred", "refused", "recommended"]
Route = Literal[
    "tender",
    "framework",
    "mini_competition",
    "dps",
    "direct_award",
    "exemption",
    "extension",
    "block_contract",
    "spot_purchase",
    "joint_procurement",
    "in_house",
    "grant",
]
# Why a status and not an exception: a broken PDF is still a document the user asked about; the
# record says what went wrong so nightly runs can report it and retry, never silently drop it.
ExtractStatus = Literal["ok", "empty", "encrypted", "corrupt", "needs_ocr", "ocr", "unsupported", "error"]

# GUIDE routes onto the closed OCDS procurementMethod codelist (open/selective/limited/direct).
OCDS_METHOD: dict[str, str] = {
    "tender": "open",
    "framework": "selective",
    "mini_competition": "selective",
    "dps": "selective",
    "joint_procurement": "open",
    "direct_award": "direct",
    "exemption": "limited",
    "extension": "limited",
    "block_contract": "limited",
    "spot_purchase": "direct",
    "in_house": "direct",
    "grant": "direct",
}


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False)


class Span(Model):
    """A piece of the record's text: ``text == Record.text[start:end]``."""

    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class Money(Span):
    amount: float
    currency: str = "GBP"
    per: Per | None = None
    qualifier: Qualifier | None = None
    is_contract_value: bool = False


class Duration(Span):
    months: float
    kind: DurationKind = "term"
    qualifier: Qualifier | None = None


class DateMention(Span):
    date: str  # ISO YYYY-MM-DD, or YYYY-MM when the text names no day
    precision: Literal["day", "month"] = "day"


class RouteMention(Span):
    route: Route


class Resolution(Span):
    number: str | None = None
    outcome: Outcome | None = None


# Words a supplier's name may carry or drop and still be the same supplier (the GUIDE's key).
_KEY_DROP = frozenset(
    {"ltd", "limited", "plc", "llp", "cic", "inc", "llc", "co", "company", "the", "and", "uk"}
)


def supplier_key(name: str) -> str:
    """The normalised supplier key: case, punctuation, "(UK)", "&"/"and", "the" and legal
    suffixes ignored ("APCOA Parking (UK) Limited" and "APCOA Parking UK Ltd" -> "apcoa parking")."""
    folded = re.sub(r"[’'`]", "", name.lower()).replace("c.i.c", "cic")
    words = [w for w in re.findall(r"[a-z0-9]+", folded) if w not in _KEY_DROP]
    return " ".join(words)


class Supplier(Span):
    """A named supplier, provider or contractor of a contract the document decides or reports on."""

    name: str  # as first written, tidied of surrounding punctuation
    key: str  # normalised: case, punctuation, "(UK)", "&"/"and" and legal suffixes ignored


class Category(Span):
    """What the contract buys, as a CPV 2008 code (OCDS ``Classification``) and the words read."""

    scheme: Literal["CPV"] = "CPV"
    id: str  # a CPV code with its check digit ("85311000-2"); a division alone is "85000000-9"
    description: str  # the code's official CPV 2008 English description


class ContractSummary(Model):
    """The contract the document decides, in OCDS terms; every figure traceable to a mention."""

    value_amount: float | None = None  # the headline contract value as stated
    value_per: Per | None = None
    annual_value: float | None = None  # per-year value; totals divided by the term in years
    total_value: float | None = None  # whole-contract value as stated, else per-year value times the term
    annualised_by: Literal["stated", "total_over_term"] | None = None  # how annual_value was had
    term_months: float | None = None
    extension_months: float | None = None  # sum of all extension options
    max_months: float | None = None  # term plus every extension
    start_date: str | None = None
    end_date: str | None = None
    max_extent_date: str | None = None
    procurement_method: Literal["open", "selective", "limited", "direct"] | None = None
    procurement_method_details: str | None = None


class Record(Model):
    """One document (page, report or attachment) with everything extracted from it."""

    schema_version: str = SCHEMA_VERSION
    id: str  # stable: council + page type + platform id, else a hash of the canonical URL or path
    source: str  # the input path or the canonical URL it was fetched from
    url: str | None = None
    council: str | None = None  # council short id from the registry
    council_name: str | None = None
    page_type: PageType = "other"
    title: str | None = None
    committee: str | None = None
    document_id: str | None = None  # the crawled page this record (e.g. an attachment) belongs to
    fetched_at: str | None = None  # ISO timestamp
    content_type: str | None = None
    status: ExtractStatus = "ok"
    status_detail: str | None = None
    extractor_version: str | None = None
    text: str = ""
    metadata: dict[str, str] = Field(default_factory=dict)  # page label/value pairs
    decision_date: str | None = None
    decision_maker: str | None = None
    money: list[Money] = Field(default_factory=list)
    durations: list[Duration] = Field(default_factory=list)
    dates: list[DateMention] = Field(default_factory=list)
    contract_start: str | None = None
    contract_end: str | None = None
    procurement: list[Route] = Field(default_factory=list)
    procurement_mentions: list[RouteMention] = Field(default_factory=list)
    resolutions: list[Resolution] = Field(default_factory=list)
    suppliers: list[Supplier] = Field(default_factory=list)
    category: Category | None = None
    contract: ContractSummary = Field(default_factory=ContractSummary)

    def to_json(self) -> str:
        """One JSON line, the interchange format between stages."""
        return self.model_dump_json()

    @classmethod
    def from_json(cls, line: str | bytes) -> Record:
        return cls.model_validate_json(line)


def json_schema() -> dict:
    """The JSON Schema of a record, as published in docs/record.schema.json."""
    return Record.model_json_schema()


@dataclass
class Attachment:
    """A file linked from a page (report PDF, minutes), as downloaded by the crawler."""

    url: str
    title: str | None = None
    path: str | None = None  # relative to the data directory's files/ folder
    sha256: str | None = None
    size: int | None = None
    content_type: str | None = None


@dataclass
class Document:
    """One crawled page: the crawler's single item model, and the store's document row."""

    id: str
    council: str
    platform: str
    page_type: str
    url: str  # canonical URL
    title: str | None = None
    platform_ids: dict[str, str] = field(default_factory=dict)  # meeting, item, decision, issue
    committee: str | None = None
    decision_maker: str | None = None
    date: str | None = None  # meeting or decision date, ISO
    body: str = ""  # page HTML (decoded) or XML fragment
    content_type: str = "text/html"
    sha256: str | None = None
    fetched_at: str | None = None
    attachments: list[Attachment] = field(default_factory=list)

    def to_dict(self) -> dict:
        d = dict(self.__dict__)
        d["attachments"] = [a.__dict__ for a in self.attachments]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Document:
        d = dict(d)
        d["attachments"] = [Attachment(**a) for a in d.get("attachments") or []]
        return cls(**d)


if __name__ == "__main__":  # python -m papers.schema > docs/record.schema.json
    print(json.dumps(json_schema(), indent=2))
