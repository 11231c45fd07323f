"""Fixtures shared by test modules."""

import pytest

from crawlers.snapshot import SnapshotServer


@pytest.fixture(scope="module")
def server():
    """The bundled offline snapshot of council sites on a free 127.0.0.1 port, one per module
    (a module's injected faults and visit counts stay its own)."""
    with SnapshotServer() as s:
        yield s
