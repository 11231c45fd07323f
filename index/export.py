"""Export matching records: JSON lines, a flat CSV, or an Open Contracting (OCDS 1.1) release package.

Each writer takes an iterator of records and a text file, streams, and returns how many items it
wrote, so exporting 100,000 records never holds them all in memory (OCDS excepted: its releases
are matters, index/matters.py, so the contract records are gathered before they are written).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Callable, Iterable
from typing import IO
from urllib.parse import quote

from index import contracts, matters
from index.documents import title_of
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
    "suppliers",
    "supplier_keys",
    "category_id",
    "category_description",
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
        "suppliers": "; ".join(dict.fromkeys(s.name for s in rec.suppliers)),
        "supplier_keys": "; ".join(dict.fromkeys(s.key for s in rec.suppliers)),
        "category_id": rec.category.id if rec.category else None,
        "category_description": rec.category.description if rec.category else None,
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


def _period(row: dict) -> dict:
    period = {
        "startDate": _datetime(row["start_date"]),
        "endDate": _datetime(row["end_date"]),
        "maxExtentDate": _datetime(row["max_extent_date"]),
    }
    start, end = period["startDate"], period["endDate"]
    if start and end:
        period["durationInDays"] = (dt.date.fromisoformat(end[:10]) - dt.date.fromisoformat(start[:10])).days
    elif row["term_months"] is not None:
        period["durationInDays"] = round(row["term_months"] * DAYS_PER_MONTH)
    return {k: v for k, v in period.items() if v is not None}


def _suppliers(row: dict) -> list[dict]:
    """The matter's suppliers as OCDS organisations (ids unique within the release)."""
    return [{"id": f"supplier-{_slug(s['key'])}", "name": s["name"]} for s in row["suppliers"]]


def release(row: dict, records: dict[str, Record]) -> dict:
    """One OCDS release for a contract matter (index/matters.py), from its terms' best sources:
    buyer and suppliers, tender method and CPV item, award and contract terms, a document per page."""
    primary = records[row["id"]]
    council = row["council"] or "unknown"
    ocid = f"{OCID_PREFIX}-{_slug(row['id'])}"
    buyer = {"id": council, "name": row["council_name"] or council}
    value = {"amount": row["total_value"], "currency": "GBP"} if row["total_value"] is not None else None
    described = []
    if row["annual_value"] is not None:
        described.append(f"Annual value GBP {row['annual_value']:,.2f} ({row['annualised_by'] or 'stated'}).")
    if row["extension_months"]:
        described.append(f"Extension options: {row['extension_months']:g} months.")
    period = _period(row)
    title = row["title"] or title_of(primary)
    tender = {"id": f"{ocid}-tender", "title": title}
    if row["procurement_method"]:
        tender["procurementMethod"] = row["procurement_method"]
    route_source = records.get(row["sources"].get("route", {}).get("record", ""), primary)
    details = route_source.contract.procurement_method_details or ", ".join(
        r.replace("_", " ") for r in row["routes"]
    )
    if details:
        tender["procurementMethodDetails"] = details
    if value:
        tender["value"] = value
    if period:
        tender["contractPeriod"] = period
    if row["category_id"]:
        classification = {
            "scheme": "CPV",
            "id": row["category_id"],
            "description": row["category_description"],
        }
        tender["items"] = [{"id": "1", "description": title, "classification": classification}]
    suppliers = _suppliers(row)
    award = {"id": f"{ocid}-award", "title": title}
    if suppliers:
        award["suppliers"] = suppliers
    contract = {"id": f"{ocid}-contract", "awardID": award["id"], "title": title}
    for part in (award, contract):
        if value:
            part["value"] = value
        if described:
            part["description"] = " ".join(described)
    if period:
        award["contractPeriod"] = period
        contract["period"] = period
    documents = []
    for n, record_id in enumerate(row["records"]):
        rec = records[record_id]
        if not rec.url:
            continue
        doc = {
            "id": f"{ocid}-source" + (f"-{n}" if n else ""),
            "documentType": "contractNotice" if rec.page_type == "report" else "other",
            "title": title_of(rec),
            "url": _uri(rec.url),
            "language": "en",
        }
        if _datetime(rec.decision_date):
            doc["datePublished"] = _datetime(rec.decision_date)
        documents.append(doc)
    if documents:
        contract["documents"] = documents
    return {
        "ocid": ocid,
        "id": f"{_slug(row['id'])}-{(primary.extractor_version or 'v')}",
        "date": _datetime(row["decision_date"])
        or _datetime((primary.fetched_at or "")[:10])
        or dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        # A committee decision approves contract terms; "contract" is the closest closed tag.
        "tag": ["contract"],
        "initiationType": "tender",
        "language": "en",
        "parties": [{**buyer, "roles": ["buyer"]}] + [{**s, "roles": ["supplier"]} for s in suppliers],
        "buyer": buyer,
        "tender": tender,
        "awards": [award],
        "contracts": [contract],
    }


def write_ocds(
    records: Iterable[Record], out: IO[str], links: dict[str, tuple[str, str | None]] | None = None
) -> int:
    """An OCDS 1.1 release package with one release per contract matter among ``records``.

    ``links``: each record's (links, meeting) as the store keeps them (index/matters.py); without
    them, records join matters by council, title and date alone.
    """
    published = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    head = {
        "uri": PACKAGE_URI,
        "version": "1.1",
        "publishedDate": published,
        "publisher": {"name": PUBLISHER},
        "license": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
    }
    found: dict[str, Record] = {}
    rows = []
    for rec in records:
        row = contracts.row_dict(rec, *(links or {}).get(rec.id, ("", None)))
        if row is not None:
            found[rec.id] = rec
            rows.append(row)
    out.write(json.dumps(head, indent=1)[:-2] + ',\n "releases": [')
    n = 0
    for row in matters.matter_rows(rows):
        out.write(("," if n else "") + "\n  " + json.dumps(release(row, found)))
        n += 1
    out.write("\n ]\n}\n")
    return n


WRITERS: dict[str, Callable[[Iterable[Record], IO[str]], int]] = {
    "jsonl": write_jsonl,
    "csv": write_csv,
    "ocds": write_ocds,
}
