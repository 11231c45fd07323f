"""The HTML pages: search, decision, contracts, councils, the Atom feed and the API's own docs page.

Server-rendered and complete without JavaScript. Jinja autoescapes everything; the only markup
that reaches a page unescaped is built in this package (snippet highlights, marked text, chart),
each from escaped pieces.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from jinja2 import Environment, PackageLoader
from starlette.exceptions import HTTPException
from starlette.templating import Jinja2Templates

from index import service
from index.contracts import GROUP_BY
from index.matters import supplier_rows
from index.query import QueryError
from papers import coverage
from papers.errors import UserError
from papers.schema import supplier_key
from papers.web import chart, feed, fmt, marks, urls
from papers.web import contracts as contracts_view
from papers.web import councils as councils_view
from papers.web.limits import FEED_ENTRIES, MAX_QUERY_CHARS, PAGE_SIZE
from papers.web.reader import Reader

MAX_PAGE = service.MAX_SEARCH_OFFSET // PAGE_SIZE + 1
FACET_SHOWN = 12
FACETS = (
    ("council", "Council"),
    ("type", "Type"),
    ("route", "Procurement route"),
    ("year", "Year"),
    ("category", "Category (CPV)"),
    ("supplier", "Supplier"),
)

# Templates ship inside the package: no need to stat them for changes on every render.
env = Environment(
    loader=PackageLoader("papers.web", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,
)
env.filters.update(
    gbp=fmt.gbp,
    label=fmt.label,
    months=fmt.months,
    snippet=fmt.snippet,
    when=fmt.when,
    http_url=urls.http_url,
    record_href=urls.record_href,
    cell=contracts_view.cell,
    supplier_href=urls.supplier_href,
)
templates = Jinja2Templates(env=env)
router = APIRouter(include_in_schema=False)

QueryText = Query("", max_length=MAX_QUERY_CHARS, description="A query in the `papers search` language.")


@dataclass
class Problem:
    """What is wrong with the user's query, shown inline above the results."""

    message: str
    query: str = ""
    column: int | None = None  # 1-based; draws a caret under the query

    @classmethod
    def of(cls, exc: UserError, q: str) -> Problem:
        return cls(str(exc), q, getattr(exc, "column", None))


@dataclass
class FacetEntry:
    label: str
    count: int
    token: str
    href: str
    active: bool


def _render(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
    context.setdefault("max_query", MAX_QUERY_CHARS)
    return templates.TemplateResponse(request, name, context, status_code=status)


def error_page(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    return _render(request, "error.html", status, title=title, message=message, section=None)


def _reader(request: Request) -> Reader:
    return request.app.state.reader


def facet_entries(q: str, facets: dict[str, dict[str, int]], names: dict[str, str]) -> list[dict]:
    """Facet counts as links that add (or, when already in the query, remove) a filter.

    The largest FACET_SHOWN values of each facet are listed (newest years first), plus any value
    already filtered on; the rest are counted as "more" (type the filter to reach them).
    """
    terms = q.split()
    out = []
    for field, title in FACETS:
        counts = facets.get(field) or {}
        if field == "year":
            ordered = sorted(counts.items(), key=lambda kv: kv[0], reverse=True)
        else:
            ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        entries = []
        for rank, (value, count) in enumerate(ordered):
            # a category facet's value is "85311000-2 Social work services ...": filter on the code
            token = urls.filter_token(field, value.split(" ", 1)[0] if field == "category" else value)
            active = token in terms
            if rank >= FACET_SHOWN and not active:
                continue
            new_q = " ".join(t for t in terms if t != token) if active else f"{q.strip()} {token}".strip()
            if field == "council":
                shown = names.get(value, value)
            else:
                shown = str(value) if field in ("category", "supplier") else fmt.label(str(value))
            entries.append(FacetEntry(shown, count, token, urls.search_url(new_q), active))
        out.append({"field": field, "title": title, "entries": entries, "more": len(ordered) - len(entries)})
    return out


# The search and decision pages are async on purpose: their work is a few milliseconds of CPU, so
# running it on the event loop serves requests first-come first-served instead of time-slicing
# twenty of them across threads under the GIL, which is what keeps p95 low under load.
@router.get("/", response_class=HTMLResponse)
async def search_page(
    request: Request, q: str = QueryText, page: int = Query(1, ge=1, le=MAX_PAGE)
) -> HTMLResponse:
    settings = request.app.state.settings
    offset = (page - 1) * PAGE_SIZE
    context = {
        "section": "search",
        "q": q,
        "page": page,
        "offset": offset,
        "result": None,
        "error": None,
        "facets": [],
        "pages": 0,
        "feed_url": urls.feed_url(q),
        "api_url": urls.api_search_url(q),
        "contracts_url": urls.contracts_url(q),
    }
    try:
        result = service.search(settings, q, limit=PAGE_SIZE, offset=offset)
    except UserError as exc:  # QueryError (400) or an index that is not built yet (503)
        context["error"] = Problem.of(exc, q)
        return _render(request, "search.html", 400 if isinstance(exc, QueryError) else 503, **context)
    hits = [dict(h, href=urls.record_href(h["id"])) for h in result["hits"]]
    names = _council_names(hits)
    pages = min(math.ceil(result["total"] / PAGE_SIZE), MAX_PAGE)
    context.update(
        result={"total": result["total"], "hits": hits},
        facets=facet_entries(q, result.get("facets") or {}, names),
        council_names=names,
        coverage_notes=coverage.uncovered_notes(q),
        pages=pages,
        prev_url=urls.search_url(q, page - 1) if page > 1 else None,
        next_url=urls.search_url(q, page + 1) if page < pages else None,
    )
    return _render(request, "search.html", **context)


def _council_names(hits: list[dict]) -> dict[str, str]:
    """Names for the council facet: the registry's, and those the hits on this page carry.

    Crawled councils are registry rows; hits name any other (files extracted by hand), and a
    bare id is shown for the rest rather than scanning the store on every search.
    """
    return councils_view.registry_names() | {
        h["council"]: h["council_name"] for h in hits if h.get("council") and h.get("council_name")
    }


@router.get("/feed")
def feed_page(request: Request, q: str = QueryText) -> Response:
    """Atom feed of a query's newest matches, for any feed reader."""
    settings = request.app.state.settings
    try:
        hits = feed.newest(settings, q, FEED_ENTRIES)
    except UserError as exc:
        return Response(
            str(exc) + "\n", status_code=400 if isinstance(exc, QueryError) else 503, media_type="text/plain"
        )
    body = feed.atom_feed(q, hits, base_url=str(request.base_url), self_url=str(request.url))
    return Response(body, media_type="application/atom+xml; charset=utf-8")


@router.get("/records/{record_id:path}/attachments/{index:int}")
def attachment_file(request: Request, record_id: str, index: int) -> FileResponse:
    """The downloaded copy of an attachment: looked up by position, never by a path in the URL."""
    reader = _reader(request)
    record = reader.record(record_id)
    attachments = reader.attachments(reader.page_of(record)) if record else []
    if not 0 <= index < len(attachments):
        raise HTTPException(404, "no such attachment")
    att = attachments[index].attachment
    path = reader.attachment_path(att)
    if path is None:
        raise HTTPException(404, "this attachment was not downloaded")
    # Only PDFs open in the browser; anything else (HTML above all) downloads, so a council file
    # can never run as a page of this site.
    pdf = (att.content_type or "").startswith("application/pdf")
    return FileResponse(
        path,
        media_type="application/pdf" if pdf else "application/octet-stream",
        filename=Path(att.path or "attachment").name,
        content_disposition_type="inline" if pdf else "attachment",
    )


@router.get("/records/{record_id:path}", response_class=HTMLResponse)
async def decision_page(request: Request, record_id: str) -> HTMLResponse:
    reader = _reader(request)
    record = reader.record(record_id)
    if record is None:
        raise HTTPException(404, f"No record with id {record_id!r}.")
    found = marks.collect(record)
    document = reader.page_of(record)
    attachments = reader.attachments(document)
    for a in attachments:
        a.href = urls.attachment_href(record.id, a.index)
    parent = None
    if record.document_id and record.document_id != record.id:
        page_record = reader.record(record.document_id)
        title = (page_record.title if page_record else None) or (document.title if document else None)
        parent = {"href": urls.record_href(record.document_id), "title": title or record.document_id}
    return _render(
        request,
        "decision.html",
        section="search",
        record=record,
        terms=marks.terms(record, found),
        resolutions=[m for m in found if m.kind == "resolution"],
        mentions=found,
        text=marks.highlight(record.text, found),
        kinds=marks.KINDS,
        kind_names=marks.KIND_NAMES,
        attachments=attachments,
        parent=parent,
        json_url=urls.api_record_href(record.id),
        council_url=urls.search_url(urls.filter_token("council", (record.council or "").lower())),
        council_name=record.council_name
        or councils_view.registry_names().get((record.council or "").lower()),
        suppliers=list({s.key: s for s in record.suppliers}.values()),
        category_url=urls.search_url(urls.filter_token("category", record.category.id))
        if record.category
        else None,
    )


@router.get("/contracts", response_class=HTMLResponse)
def contracts_page(
    request: Request,
    q: str = QueryText,
    group_by: str = Query("council", pattern="^(" + "|".join(GROUP_BY) + ")$"),
    by_record: bool = Query(False),
) -> HTMLResponse:
    settings = request.app.state.settings
    context = {
        "section": "contracts",
        "q": q,
        "group_by": group_by,
        "by_record": by_record,
        "group_choices": GROUP_BY,
        "table": None,
        "error": None,
        "search_url": urls.search_url(q),
        "csv_url": urls.contracts_download_url(q, group_by, "csv", by_record),
        "json_url": urls.contracts_download_url(q, group_by, "json", by_record),
        "other_view_url": urls.contracts_url(q, group_by, not by_record),
    }
    try:
        table = contracts_view.build(settings, q, group_by, by_record)
    except UserError as exc:
        context["error"] = Problem.of(exc, q)
        return _render(request, "contracts.html", 400 if isinstance(exc, QueryError) else 503, **context)
    groups = table.chart_groups()
    drawn = min(sum(1 for g in groups if g.points), chart.MAX_GROUPS)
    context.update(
        table=table,
        chart=chart.box_strip(groups),
        shown_groups=drawn,
        hidden_groups=drawn < sum(1 for g in groups if g.points),
    )
    return _render(request, "contracts.html", **context)


@router.get("/suppliers", response_class=HTMLResponse)
def suppliers_page(request: Request, q: str = QueryText) -> HTMLResponse:
    """Every supplier of the matching matters, as `papers suppliers` lists them."""
    context = {"section": "suppliers", "q": q, "result": None, "error": None}
    try:
        context["result"] = service.suppliers(request.app.state.settings, q)
    except UserError as exc:
        context["error"] = Problem.of(exc, q)
        return _render(request, "suppliers.html", 400 if isinstance(exc, QueryError) else 503, **context)
    return _render(request, "suppliers.html", **context)


@router.get("/suppliers/{key:path}", response_class=HTMLResponse)
def supplier_page(request: Request, key: str) -> HTMLResponse:
    """One supplier (by normalised key): its matters across councils, each linked to its decision."""
    settings = request.app.state.settings
    words = supplier_key(key)  # letters and digits only: a filter that always parses
    if not words:
        raise HTTPException(404, f"No supplier with key {key!r}.")
    by_words = urls.filter_token("supplier", words)
    try:
        # The filter finds every name with these words; the page keeps the matters of this key.
        result = service.contracts(settings, by_words, limit=None)
    except UserError as exc:
        return error_page(request, 503, "Index not ready", str(exc))
    rows = [r for r in result["rows"] if any(s["key"] == key for s in r["suppliers"])]
    if not rows:
        raise HTTPException(404, f"No matter names a supplier with key {key!r}.")
    (summary,) = [s for s in supplier_rows(rows) if s["key"] == key]
    names = sorted({s["name"] for r in rows for s in r["suppliers"] if s["key"] == key})
    return _render(
        request,
        "supplier.html",
        section="suppliers",
        supplier=summary,
        names=names,
        councils=sorted({contracts_view.cell(r, "council") for r in rows}),
        rows=rows,
        contracts_url=urls.contracts_url(by_words),
    )


@router.get("/councils", response_class=HTMLResponse)
def councils_page(request: Request, platform: str | None = Query(None, max_length=40)) -> HTMLResponse:
    reader = _reader(request)
    return _render(
        request,
        "councils.html",
        section="councils",
        councils=councils_view.coverage(
            reader, councils_view.contracts_per_council(request.app.state.settings)
        ),
        has_runs=councils_view.has_runs(reader),
        registry=councils_view.registry_rows(request.app.state.settings, platform),
        platform=platform,
    )


@router.get("/api", response_class=HTMLResponse)
def api_docs_page(request: Request) -> HTMLResponse:
    """The OpenAPI document FastAPI generates, as a plain page (no CDN-hosted Swagger UI)."""
    spec = request.app.openapi()
    operations = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            params = [
                {
                    "name": p["name"],
                    "where": p["in"],
                    "required": p.get("required", False),
                    "type": _schema_type(p.get("schema", {})),
                    "default": p.get("schema", {}).get("default", ""),
                    "description": p.get("description") or p.get("schema", {}).get("description", ""),
                }
                for p in op.get("parameters", [])
            ]
            example = path if "{" not in path else None
            operations.append(
                {
                    "id": op.get("operationId", path),
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary"),
                    "description": op.get("description"),
                    "params": params,
                    "example": example,
                }
            )
    return _render(
        request,
        "api.html",
        section="api",
        spec=spec,
        operations=operations,
        openapi_url=request.app.openapi_url,
    )


def _schema_type(schema: dict) -> str:
    if "anyOf" in schema:
        return " or ".join(_schema_type(s) for s in schema["anyOf"])
    bounds = [f"{k} {schema[k]}" for k in ("minimum", "maximum", "maxLength") if k in schema]
    return schema.get("type", "") + (f" ({', '.join(bounds)})" if bounds else "")
