"""The web app factory: pages for people, /api/ for scripts, both over the same index.service calls."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException
from starlette.staticfiles import StaticFiles

from papers import __version__
from papers.settings import Settings
from papers.web import api, pages
from papers.web.limits import LimitsMiddleware
from papers.web.reader import Reader

log = logging.getLogger(__name__)

DESCRIPTION = """Read-only JSON API over the committee-papers store and search index.

The query language is the one `papers search` takes; a malformed query answers HTTP 400 with
`{"detail": message, "position": offset}`."""


def create_app(settings: Settings) -> FastAPI:
    """The ASGI app serving one data directory, read-only."""
    # The framework's /docs and /redoc pages load their scripts from a CDN; the site must work
    # offline, so the OpenAPI document is rendered by our own page at /api instead.
    app = FastAPI(
        title="committee-papers",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.reader = Reader(settings)
    app.add_middleware(LimitsMiddleware)
    app.mount("/static", StaticFiles(packages=[("papers.web", "static")]), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    app.add_exception_handler(RequestValidationError, _bad_request)
    app.add_exception_handler(HTTPException, _http_error)
    return app


def app_from_env() -> FastAPI:
    """The app for `uvicorn --factory papers.web.app:app_from_env` (data directory from PAPERS_DATA)."""
    return create_app(Settings())


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _bad_request(request: Request, exc: RequestValidationError) -> Response:
    """Out-of-range or too-long parameters: HTTP 400 with one readable line, as for a bad query."""
    problems = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ())[1:]) or "request"
        problems.append(f"{where}: {err.get('msg', 'invalid')}")
    message = "; ".join(problems) or "invalid request"
    if _wants_json(request):
        return JSONResponse({"detail": message}, status_code=400)
    return pages.error_page(request, 400, "Bad request", message)


def _http_error(request: Request, exc: HTTPException) -> Response:
    if _wants_json(request) or exc.status_code == 405:
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
    title = {404: "Not found"}.get(exc.status_code, "Error")
    return pages.error_page(request, exc.status_code, title, str(exc.detail))
