"""The extraction API the other stages call: text, bytes, a path, or a crawled Document in;
``papers.schema.Record`` out. Nothing here raises on bad input: the record's status says what
went wrong (a nightly run must report a broken PDF and go on, not stop).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from extract import EXTRACTOR_VERSION
from extract.analysis import analyse
from extract.contract import summarise
from extract.text import TextResult
from extract.text.encoding import decode
from extract.text.html import from_html
from extract.text.pdf import from_pdf
from extract.text.plain import from_text
from papers.errors import UserError
from papers.schema import (
    PAGE_TYPES,
    Category,
    DateMention,
    Document,
    Duration,
    Money,
    PageType,
    Record,
    Resolution,
    RouteMention,
    Supplier,
)
from papers.urls import canonical_url, classify

log = logging.getLogger(__name__)

__all__ = [
    "EXTRACTOR_VERSION",
    "extract_text",
    "extract_bytes",
    "extract_path",
    "extract_document",
    "SUFFIXES",
    "collect",
]

SUFFIXES = {
    ".txt": "text/plain",
    ".text": "text/plain",
    ".html": "text/html",
    ".htm": "text/html",
    ".pdf": "application/pdf",
}


def collect(paths: Iterable[str]) -> list[str]:
    """Files named, plus every supported file under folders named (recursive, sorted). A broken
    symlink, an unreadable file or an unreadable folder is listed too, so that extract_path
    reports it as a failed record instead of a corpus silently shrinking."""
    found: list[str] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found += _walk(path)
        elif path.is_file() or path.is_symlink():
            found.append(given)
        else:
            raise UserError(f"no such file or folder: {given}")
    return found


def _walk(folder: Path) -> list[str]:
    found: list[str] = []

    def unreadable(exc: OSError) -> None:
        found.append(str(exc.filename))  # extract_path turns it into an "error" record

    for root, dirs, files in os.walk(folder, onerror=unreadable):
        dirs.sort()
        for name in files:
            file = os.path.join(root, name)
            # A dangling link is listed whatever its name: it may have pointed at a folder.
            if Path(name).suffix.lower() in SUFFIXES or not os.path.exists(file):
                found.append(file)
    return sorted(found)


# A page's own heading says its GUIDE page_type when its URL does not (papers.urls.classify).
_HEADINGS: list[tuple[PageType, str]] = [
    ("decision_details", r"^Decision details\b"),
    ("issue_decisions", r"^Issue - decisions\b"),
    ("issue_meetings", r"^Issue - meetings\b"),
    ("issue_details", r"^Issue details\b"),
    ("agenda_item", r"^Agenda item\b"),
    ("minutes", r"^(?:Agenda and minutes|Minutes)\b"),
]


def _record_id(url: str | None, fallback: str) -> str:
    """Stable across runs and working directories: from the canonical URL when the document has
    one, else from ``fallback`` (the resolved path for files, the source otherwise)."""
    key = canonical_url(url) if url else fallback
    return "doc:" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def _page_type(url: str | None, text: str, content_type: str) -> PageType:
    if url and (page_type := classify(url)[0]) != "other":
        return page_type
    head = text.lstrip()[:200]
    for page_type, heading in _HEADINGS:
        if re.match(heading, head, re.I):
            return page_type
    return "report" if content_type == "application/pdf" else "other"


def _title(result: TextResult) -> str | None:
    if result.title:
        return result.title
    lines = [ln.strip() for ln in result.text.strip().splitlines() if ln.strip()][:3]
    generic = re.compile(
        r"^(?:Decision details|Issue - \w+|Issue details|Agenda item|Agenda and minutes|Decision)$", re.I
    )
    for line in lines:
        if not generic.match(line) and len(line) < 200 and ":" not in line[:30]:
            return line
    return None


def _build(
    result: TextResult, *, source: str, content_type: str, url: str | None, provenance: dict[str, Any]
) -> Record:
    url = url or result.url
    if result.status == "ok" and not result.text.strip():
        # Nothing to analyse is worth saying: an empty page is often a fetch or conversion fault.
        result.status, result.status_detail = "empty", "no text in the document"
    record = Record(
        id=provenance.pop("id", None) or _record_id(url, source),
        source=source,
        url=url,
        content_type=content_type,
        status=result.status,
        status_detail=result.status_detail,
        extractor_version=EXTRACTOR_VERSION,
        text=result.text,
        metadata=result.metadata,
        title=provenance.pop("title", None) or _title(result),
        page_type=provenance.pop("page_type", None) or _page_type(url, result.text, content_type),
    )
    for key, value in provenance.items():
        if key in Record.model_fields and value is not None:
            setattr(record, key, value)
    if not result.text.strip():
        return record
    found = analyse(result.text, result.metadata)
    spans = found.spans
    record.money = [Money(text=t, start=s, end=e, **v) for s, e, t, v in spans["money"]]
    record.durations = [Duration(text=t, start=s, end=e, **v) for s, e, t, v in spans["durations"]]
    record.dates = [DateMention(text=t, start=s, end=e, **v) for s, e, t, v in spans["dates"]]
    record.procurement_mentions = [
        RouteMention(text=t, start=s, end=e, route=v["route"]) for s, e, t, v in spans["routes"]
    ]
    record.procurement = list(dict.fromkeys(m.route for m in record.procurement_mentions))
    record.resolutions = [
        Resolution(text=t, start=s, end=e, number=v["number"], outcome=v["outcome"])
        for s, e, t, v in spans["resolutions"]
    ]
    record.suppliers = [
        Supplier(text=t, start=s, end=e, name=v["name"], key=v["normalised"])
        for s, e, t, v in spans["suppliers"]
    ]
    record.category = next((Category(text=t, start=s, end=e, **v) for s, e, t, v in spans["category"]), None)
    roles = found.roles
    record.decision_date = roles.get("decision_date") or record.decision_date
    record.decision_maker = roles.get("decision_maker") or record.decision_maker
    record.contract_start, record.contract_end = roles.get("contract_start"), roles.get("contract_end")
    record.contract = summarise(
        record.money,
        record.durations,
        record.procurement,
        start=record.contract_start,
        end=record.contract_end,
        route_details=[m.text for m in record.procurement_mentions],
    )
    return record


def _failed(
    source: str, content_type: str, url: str | None, exc: Exception, provenance: dict[str, Any]
) -> Record:
    log.error("extraction failed for %s: %s", source, exc, exc_info=not isinstance(exc, OSError))
    fields = {
        k: v
        for k, v in provenance.items()
        if k in Record.model_fields and v is not None and k not in ("source", "url", "status")
    }
    fields.setdefault("id", _record_id(url, source))
    return Record(
        source=source,
        url=url,
        content_type=content_type,
        status="error",
        status_detail=f"{exc.__class__.__name__}: {exc}"[:300],
        extractor_version=EXTRACTOR_VERSION,
        **fields,
    )


def extract_text(
    text: str, *, source: str, content_type: str = "text/plain", url: str | None = None, **provenance: Any
) -> Record:
    """Extract from decoded text ("text/plain" or "text/html"). Never raises."""
    try:
        result = from_html(text) if "html" in (content_type or "") else from_text(text)
        return _build(result, source=source, content_type=content_type, url=url, provenance=dict(provenance))
    except Exception as exc:  # a rule bug must cost one record, not a nightly run
        return _failed(source, content_type, url, exc, provenance)


def extract_bytes(
    data: bytes, *, source: str, content_type: str, url: str | None = None, **provenance: Any
) -> Record:
    """Extract from undecoded bytes: PDF, or HTML/text in any charset (windows-1252 included)."""
    try:
        kind = (content_type or "").split(";")[0].strip().lower()
        if kind == "application/pdf" or data[:5] == b"%PDF-":
            result = from_pdf(data)
            kind = "application/pdf"
        elif "html" in kind:
            result = from_html(decode(data, content_type))
        elif kind.startswith("text/") or not kind:
            result = from_text(decode(data, content_type))
            kind = kind or "text/plain"
        else:
            result = TextResult(status="unsupported", status_detail=f"cannot extract text from {kind}")
        return _build(result, source=source, content_type=kind, url=url, provenance=dict(provenance))
    except Exception as exc:
        return _failed(source, content_type, url, exc, provenance)


def _read(path: Path) -> bytes:
    """The file's bytes, else an OSError saying plainly what is wrong with the path."""
    if path.is_symlink() and not path.exists():
        raise FileNotFoundError(f"broken symlink: {path} points to missing {os.readlink(path)}")
    if path.is_dir():
        os.listdir(path)  # an unreadable folder raises its own PermissionError here
        raise IsADirectoryError(f"{path} is a folder, not a document")
    return path.read_bytes()


def extract_path(path: str | Path, **provenance: Any) -> Record:
    """Extract one file (.txt/.html/.htm/.pdf). A .txt starting ``URL: <address>`` takes its url
    from that line and its text from after the blank second line. ``source`` is the path as given;
    the id comes from the canonical URL, else the resolved path, so the same file extracted from
    two working directories is one record."""
    source = str(path)
    path = Path(path)
    resolved = str(path.resolve())
    content_type = SUFFIXES.get(path.suffix.lower(), "application/octet-stream")
    url = provenance.pop("url", None)
    try:
        data = _read(path)
    except OSError as exc:
        provenance.setdefault("id", _record_id(url, resolved))
        return _failed(source, content_type, url, exc, provenance)
    if content_type != "text/plain":
        provenance.setdefault("id", _record_id(url, resolved))
        return extract_bytes(data, source=source, content_type=content_type, url=url, **provenance)
    try:
        result = from_text(decode(data))
        provenance.setdefault("id", _record_id(url or result.url, resolved))
        return _build(result, source=source, content_type=content_type, url=url, provenance=dict(provenance))
    except Exception as exc:
        provenance.setdefault("id", _record_id(url, resolved))
        return _failed(source, content_type, url, exc, provenance)


def extract_document(doc: Document, files_dir: Path) -> list[Record]:
    """The page's record (id = doc.id) plus one per downloaded attachment. Never raises."""
    common = {"council": doc.council, "committee": doc.committee, "fetched_at": doc.fetched_at}
    page = extract_text(
        doc.body or "",
        source=doc.url,
        content_type=doc.content_type or "text/html",
        url=doc.url,
        id=doc.id,
        page_type=doc.page_type if doc.page_type in PAGE_TYPES else None,
        title=doc.title,
        document_id=doc.id,
        **common,
    )
    if doc.date and not page.decision_date:
        page.decision_date = doc.date
    if doc.decision_maker and not page.decision_maker:
        page.decision_maker = doc.decision_maker
    records = [page]
    for att in doc.attachments:
        att_id = f"{doc.id}/{(att.sha256 or hashlib.sha256(att.url.encode()).hexdigest())[:12]}"
        provenance = dict(id=att_id, document_id=doc.id, title=att.title, **common)
        try:
            if not att.path:
                raise FileNotFoundError("attachment was not downloaded")
            data = (Path(files_dir) / att.path).read_bytes()
        except OSError as exc:
            records.append(_failed(att.url, att.content_type or "", att.url, exc, provenance))
            continue
        content_type = att.content_type or SUFFIXES.get(
            Path(att.path).suffix.lower(), "application/octet-stream"
        )
        records.append(
            extract_bytes(data, source=att.url, content_type=content_type, url=att.url, **provenance)
        )
    return records
