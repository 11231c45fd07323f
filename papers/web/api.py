"""The JSON API: the objects the `papers` command prints, from the same index.service calls."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from index import service
from index.contracts import GROUP_BY
from index.query import QueryError
from papers.errors import UserError
from papers.web import contracts as contracts_view
from papers.web import councils as councils_view
from papers.web.limits import MAX_API_LIMIT, MAX_QUERY_CHARS

router = APIRouter(prefix="/api", tags=["api"])

QueryText = Query("", max_length=MAX_QUERY_CHARS, description="A query in the `papers search` language.")
GroupBy = Query(
    "council", pattern="^(" + "|".join(GROUP_BY) + ")$", description="How to group the contracts."
)


def _error(exc: UserError) -> JSONResponse:
    """Malformed query -> 400 with its message and position; a missing index -> 503."""
    if isinstance(exc, QueryError):
        return JSONResponse({"detail": str(exc), "position": exc.position}, status_code=400)
    return JSONResponse({"detail": str(exc)}, status_code=503)


@router.get("/search", summary="Ranked matches with snippets and facet counts")
def search(
    request: Request,
    q: str = QueryText,
    limit: int = Query(20, ge=0, le=MAX_API_LIMIT, description="Hits to return."),
    offset: int = Query(0, ge=0, le=service.MAX_SEARCH_OFFSET, description="Hits to skip."),
) -> Response:
    """The object `papers search --json` prints: `{"total", "hits", "facets"}`."""
    try:
        return JSONResponse(service.search(request.app.state.settings, q, limit=limit, offset=offset))
    except UserError as exc:
        return _error(exc)


ByRecord = Query(False, description="One row per record (page or report) instead of one per matter.")


def _contracts(
    request: Request, q: str, group_by: str, by_record: bool
) -> contracts_view.ContractsTable | JSONResponse:
    try:
        return contracts_view.build(request.app.state.settings, q, group_by, by_record)
    except UserError as exc:
        return _error(exc)


@router.get("/contracts", summary="Contract matters and per-group quartiles of annual value")
def contracts(
    request: Request, q: str = QueryText, group_by: str = GroupBy, by_record: bool = ByRecord
) -> Response:
    """The contracts page's table: `{"rows", "groups", "total", "truncated", ...}`."""
    table = _contracts(request, q, group_by, by_record)
    return table if isinstance(table, Response) else JSONResponse(table.to_dict())


@router.get("/contracts.json", include_in_schema=False)
def contracts_json(
    request: Request, q: str = QueryText, group_by: str = GroupBy, by_record: bool = ByRecord
) -> Response:
    """/api/contracts as a download."""
    response = contracts(request, q, group_by, by_record)
    if response.status_code == 200:
        response.headers["content-disposition"] = 'attachment; filename="contracts.json"'
    return response


@router.get("/contracts.csv", summary="The contract matters as CSV (one row per matter, or per record)")
def contracts_csv(
    request: Request, q: str = QueryText, group_by: str = GroupBy, by_record: bool = ByRecord
) -> Response:
    table = _contracts(request, q, group_by, by_record)
    if isinstance(table, Response):
        return table
    return Response(
        table.to_csv(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="contracts.csv"'},
    )


@router.get("/suppliers", summary="One row per supplier over the matching contract matters")
def suppliers(request: Request, q: str = QueryText) -> Response:
    """The object `papers suppliers --json` prints: `{"total", "suppliers"}`."""
    try:
        return JSONResponse(service.suppliers(request.app.state.settings, q))
    except UserError as exc:
        return _error(exc)


@router.get("/records/{record_id:path}", summary="One record with every extracted span")
def record(request: Request, record_id: str) -> Response:
    """The record exactly as stored (papers/schema.py `Record`)."""
    found = request.app.state.reader.record(record_id)
    if found is None:
        return JSONResponse({"detail": f"no record with id {record_id!r}"}, status_code=404)
    return Response(found.to_json(), media_type="application/json")


@router.get("/councils", summary="Coverage per council: documents, records, crawls")
def councils(request: Request) -> Response:
    settings = request.app.state.settings
    rows = councils_view.coverage(request.app.state.reader, councils_view.contracts_per_council(settings))
    return JSONResponse({"councils": [c.to_dict() for c in rows]})
