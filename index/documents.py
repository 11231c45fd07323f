"""What a record looks like to a search index: one flat document, shared by every backend.

Backends differ in how they store fields, never in which fields exist or what they hold, so a
query compiled for either backend means the same thing.
"""

from __future__ import annotations

import hashlib
import re

from papers.schema import Record, supplier_key

_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
# Stored on every hit, so result lists never go back to the store for a page of results.
HIT_FIELDS = (
    "id",
    "title",
    "council",
    "council_name",
    "page_type",
    "committee",
    "decision_maker",
    "decision_date",
    "url",
    "routes",
    "annual_value",
    "total_value",
    "term_months",
    "suppliers",
    "category",
    "category_description",
)


def record_key(record_id: str) -> int:
    """A stable signed 63-bit integer for a record id: joins index hits to store rows cheaply.

    Numbers travel through search engines' columnar ("fast"/doc-value) storage far faster than
    strings, so the contracts table and export fetch keys, not ids, for every match.
    """
    return int.from_bytes(hashlib.blake2b(record_id.encode("utf-8"), digest_size=8).digest(), "big") >> 1


def is_contract(record: Record) -> bool:
    """Whether a record decides a contract: it states a value, a term, a procurement method or a
    supplier (the GUIDE names suppliers only of contracts the page decides or reports on).

    Dates alone do not count: meetings and minutes are full of dates that are not contract terms;
    nor does a category alone, which a page can name without deciding anything.
    """
    c = record.contract
    return bool(record.suppliers) or any(
        v is not None
        for v in (c.value_amount, c.annual_value, c.total_value, c.term_months, c.procurement_method)
    )


def cpv_digits(code: str) -> str:
    """The significant digits of a CPV code: check digit and padding zeros dropped, at least the
    two of the division ("85311000-2" -> "85311", "85000000-9" -> "85")."""
    digits = code.split("-", 1)[0]
    return digits[:2] + digits[2:].rstrip("0")


def cpv_prefixes(code: str) -> list[str]:
    """Every prefix a ``category:`` filter may name for this code: its division, group, class..."""
    digits = cpv_digits(code)
    return [digits[:n] for n in range(2, len(digits) + 1)]


def category_label(record: Record) -> str | None:
    """The category facet's value: code and official description together, so every consumer of
    the facet counts (CLI, JSON, web) gets the description without a lookup."""
    c = record.category
    return f"{c.id} {c.description}" if c else None


def title_of(record: Record) -> str:
    """The record's title, else the last part of its source (attachments often have none)."""
    if record.title:
        return record.title
    return record.source.rstrip("/").rsplit("/", 1)[-1]


# A body is split here, once for every backend: its first BODY_CHARS characters are stored and
# highlighted; the rest ("body_rest") is searchable but neither stored nor highlighted, so a
# 500-page agenda pack still matches its last page without failing Elasticsearch's highlighter
# (index.highlight.max_analyzed_offset) or making tantivy store and re-read megabytes per hit.
BODY_CHARS = 1_000_000


def to_fields(record: Record) -> dict:
    """The flat index document for a record (None values are left out by the backends)."""
    c = record.contract
    # YYYY-MM-DD, or YYYY-MM / YYYY when the text names no day (backends read it as the first day)
    date = record.decision_date if record.decision_date and _DATE.fullmatch(record.decision_date) else None
    return {
        "id": record.id,
        "key": record_key(record.id),
        "title": title_of(record),
        "body": record.text[:BODY_CHARS],
        "body_rest": record.text[BODY_CHARS:] or None,
        "council": (record.council or "").lower() or None,
        "council_name": record.council_name,
        "page_type": record.page_type,
        "committee": record.committee,
        "decision_maker": record.decision_maker,
        "decision_date": date,
        "year": int(date[:4]) if date else None,
        "url": record.url or (record.source if record.source.startswith("http") else None),
        "routes": sorted(set(record.procurement)),
        "is_contract": is_contract(record),
        "annual_value": c.annual_value,
        "total_value": c.total_value,
        "term_months": c.term_months,
        "extension_months": c.extension_months,
        "start_date": c.start_date,
        "end_date": c.end_date,
        "procurement_method": c.procurement_method,
        "suppliers": list(dict.fromkeys(s.name for s in record.suppliers)),
        "supplier_keys": sorted({s.key for s in record.suppliers}),
        "supplier_words": sorted({w for s in record.suppliers if (w := supplier_key(s.key))}),
        "category": record.category.id if record.category else None,
        "category_description": record.category.description if record.category else None,
        "category_prefixes": cpv_prefixes(record.category.id) if record.category else [],
        "category_facet": category_label(record),
    }
