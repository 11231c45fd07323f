"""`papers serve`: the read-only web interface and JSON API (papers/web/)."""

from __future__ import annotations

import logging
import os
import socket

import click

from index.service import require_store
from papers.errors import UserError
from papers.settings import Settings

log = logging.getLogger(__name__)


def _check_port_free(host: str, port: int) -> None:
    """Say plainly when the port is taken: uvicorn would exit 3, which here means "locked"."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise UserError(
                f"cannot listen on {host}:{port}: {exc.strerror} (choose another --port)"
            ) from exc


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to bind. The default serves this machine only; use 0.0.0.0 to share on a network.",
)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="TCP port.")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes (each opens the store and index read-only).",
)
@click.pass_obj
def serve(settings: Settings, host: str, port: int, workers: int) -> None:
    """Serve search, decision, contracts and councils pages, an Atom feed per query, and /api/."""
    import uvicorn

    from papers.web.app import create_app

    require_store(settings)
    _check_port_free(host, port)
    if host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("serving on %s: anyone who can reach this address can read the store", host)
    log.info("serving %s on http://%s:%d/", settings.data_dir, host, port)
    if workers == 1:
        uvicorn.run(create_app(settings), host=host, port=port, log_level="warning", access_log=False)
        return
    # Several workers need an import string; the factory reads its data directory from the env.
    os.environ["PAPERS_DATA"] = str(settings.data_dir)
    uvicorn.run(
        "papers.web.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
    )


COMMANDS = [serve]
