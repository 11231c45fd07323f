"""What a record looks like to a search index: one flat document, shared by every backend.

Backends differ in how they store fields, never in which fields exist or what they hold, so a
query compiled for either backend means the same thing.
"""

from __future__ import annotations

import hashlib
import re

from papers.schema import Record

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
)


def record_key(record_id: str) -> int:
    """A stable signed 63-bit integer for a record id: joins index hits to store rows cheaply.

    Numbers travel through search engines' columnar ("fast"/doc-value) storage far faster than
    strings, so the contracts table and export fetch keys, not ids, for every match.
    """
    return int.from_bytes(hashlib.blake2b(record_id.encode("utf-8"), digest_size=8).digest(), "big") >> 1


def is_contract(record: Record) -> bool:
    """Whether a record decides a contract: it states a value, a term or a procurement method.

    Dates alone do not count: meetings and minutes are full of dates that are not contract terms.
    """
    c = record.contract
    return any(
        v is not None
        for v in (c.value_amount, c.annual_value, c.total_value, c.term_months, c.procurement_method)
    )


def title_of(record: Record) -> str:
    """The record's title, else the last part of its source (attachments often have none)."""
    if record.title:
        return record.title
    return record.source.rstrip("/").rsplit("/", 1)[-1]


def to_fields(record: Record) -> dict:
    """The flat index document for a record (None values are left out by the backends)."""
    c = record.contract
    # YYYY-MM-DD, or YYYY-MM / YYYY when the text names no day (backends read it as the first day)
    date = record.decision_date if record.decision_date and _DATE.fullmatch(record.decision_date) else None
    return {
        "id": record.id,
        "key": record_key(record.id),
        "title": title_of(record),
        "body": record.text,
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
    }
