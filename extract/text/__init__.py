"""Text layer: one module per input kind (plain, html, pdf), each returning a ``TextResult``.

Text extraction is kept apart from analysis (ingest-file's split): the analysis only ever sees
a string, and every offset it reports indexes exactly the ``TextResult.text`` produced here.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class TextResult:
    """The text of one document, the label/value metadata found beside it, and how it went."""

    text: str = ""
    metadata: dict[str, str] = field(default_factory=dict)
    title: str | None = None
    url: str | None = None
    status: str = "ok"  # papers.schema.ExtractStatus
    status_detail: str | None = None
    pages: int | None = None
