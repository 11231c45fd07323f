"""Export matching records: JSON lines, a flat CSV, or an Open Contracting (OCDS 1.1) release package.

Each writer takes an iterator of records and a text file, streams, and returns how many items it
wrote, so exporting 100,000 records never holds them all in memory (OCDS excepted: a release
package is one JSON object, written release by release).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Callable, Iterable
from typing import IO
from urllib.parse import quote

from index.documents import is_contract, title_of
from papers.schema import Record

# OCDS wants a registered prefix ("ocds-" + 6 characters) per publisher; a deployment publishing
# for real should register its own at open-contracting.org and set it here.
OCID_PREFIX = "ocds-cpaper"
PUBLISHER = "committee-papers"
PACKAGE_URI = "https://github.com/committee-papers/committee-papers/export"
DAYS_PER_MONTH = 365.25 / 12

CSV_FIELDS = (
    "id",
    "council",
    "council_name",
    "page_type",
    "title",
    "committee",
    "decision_maker",
    "decision_date",
    "annual_value",
    "total_value",
    "annualised_by",
    "term_months",
    "extension_months",
    "start_date",
    "end_date",
    "procurement_method",
    "routes",
    "status",
    "url",
)


def write_jsonl(records: Iterable[Record], out: IO[str]) -> int:
    """One Record per line, exactly as the other stages exchange them."""
    n = 0
    for rec in records:
        out.write(rec.to_json() + "\n")
        n += 1
    return n


def csv_row(rec: Record) -> dict:
    c = rec.contract
    return {
        "id": rec.id,
        "council": rec.council,
        "council_name": rec.council_name,
        "page_type": rec.page_type,
        "title": title_of(rec),
        "committee": rec.committee,
        "decision_maker": rec.decision_maker,
        "decision_date": rec.decision_date,
        "annual_value": c.annual_value,
        "total_value": c.total_value,
        "annualised_by": c.annualised_by,
        "term_months": c.term_months,
        "extension_months": c.extension_months,
        "start_date": c.start_date,
        "end_date": c.end_date,
        "procurement_method": c.procurement_method,
        "routes": " ".join(rec.procurement),
        "status": rec.status,
        "url": rec.url,
    }


def write_csv(records: Iterable[Record], out: IO[str]) -> int:
    """One flat row per record: the decision's facts and contract terms, no text."""
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    n = 0
    for rec in records:
        writer.writerow(csv_row(rec))
        n += 1
    return n


def _datetime(value: str | None) -> str | None:
    """An ISO date (or YYYY-MM: its first day) as the date-time OCDS requires."""
    if not value or not re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", value):
        return None
    return (value if len(value) == 10 else value + "-01") + "T00:00:00Z"


def _uri(url: str) -> str:
    """A council URL as a valid URI: spaces and other stray characters percent-encoded."""
    return quote(url, safe=":/?#[]@!$&'()*+,;=%~")


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")


def _period(rec: Record) -> dict:
    c = rec.contract
    period = {
        "startDate": _datetime(c.start_date),
        "endDate": _datetime(c.end_date),
        "maxExtentDate": _datetime(c.max_extent_date),
    }
    start, end = period["startDate"], period["endDate"]
    if start and end:
        period["durationInDays"] = (dt.date.fromisoformat(end[:10]) - dt.date.fromisoformat(start[:10])).days
    elif c.term_months is not None:
        period["durationInDays"] = round(c.term_months * DAYS_PER_MONTH)
    return {k: v for k, v in period.items() if v is not None}


def release(rec: Record) -> dict:
    """One OCDS release for a contract decision: buyer, tender method, award and contract terms."""
    c = rec.contract
    council = rec.council or "unknown"
    ocid = f"{OCID_PREFIX}-{_slug(rec.id)}"
    buyer = {"id": council, "name": rec.council_name or council}
    value = None
    amount = (
        c.total_value if c.total_value is not None else (c.value_amount if c.value_per == "total" else None)
    )
    if amount is not None:
        value = {"amount": amount, "currency": "GBP"}
    described = []
    if c.annual_value is not None:
        described.append(f"Annual value GBP {c.annual_value:,.2f} ({c.annualised_by or 'stated'}).")
    if c.extension_months:
        described.append(f"Extension options: {c.extension_months:g} months.")
    period = _period(rec)
    tender = {"id": f"{ocid}-tender", "title": title_of(rec)}
    if c.procurement_method:
        tender["procurementMethod"] = c.procurement_method
    details = c.procurement_method_details or ", ".join(r.replace("_", " ") for r in rec.procurement)
    if details:
        tender["procurementMethodDetails"] = details
    if value:
        tender["value"] = value
    if period:
        tender["contractPeriod"] = period
    award = {"id": f"{ocid}-award", "title": title_of(rec)}
    contract = {"id": f"{ocid}-contract", "awardID": award["id"], "title": title_of(rec)}
    for part in (award, contract):
        if value:
            part["value"] = value
        if described:
            part["description"] = " ".join(described)
    if period:
        award["contractPeriod"] = period
        contract["period"] = period
    if rec.url:
        contract["documents"] = [
            {
                "id": f"{ocid}-source",
                "documentType": "contractNotice" if rec.page_type == "report" else "other",
                "title": title_of(rec),
                "url": _uri(rec.url),
                "language": "en",
            }
        ]
        if rec.decision_date and _datetime(rec.decision_date):
            contract["documents"][0]["datePublished"] = _datetime(rec.decision_date)
    return {
        "ocid": ocid,
        "id": f"{_slug(rec.id)}-{(rec.extractor_version or 'v')}",
        "date": _datetime(rec.decision_date)
        or _datetime((rec.fetched_at or "")[:10])
        or dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        # A committee decision approves contract terms; "contract" is the closest closed tag.
        "tag": ["contract"],
        "initiationType": "tender",
        "language": "en",
        "parties": [{**buyer, "roles": ["buyer"]}],
        "buyer": buyer,
        "tender": tender,
        "awards": [award],
        "contracts": [contract],
    }


def write_ocds(records: Iterable[Record], out: IO[str]) -> int:
    """An OCDS 1.1 release package of the contract decisions among ``records``."""
    published = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    head = {
        "uri": PACKAGE_URI,
        "version": "1.1",
        "publishedDate": published,
        "publisher": {"name": PUBLISHER},
        "license": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
    }
    out.write(json.dumps(head, indent=1)[:-2] + ',\n "releases": [')
    n = 0
    for rec in records:
        if not is_contract(rec):
            continue
        out.write(("," if n else "") + "\n  " + json.dumps(release(rec)))
        n += 1
    out.write("\n ]\n}\n")
    return n


WRITERS: dict[str, Callable[[Iterable[Record], IO[str]], int]] = {
    "jsonl": write_jsonl,
    "csv": write_csv,
    "ocds": write_ocds,
}
