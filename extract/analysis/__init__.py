"""The analysis pipeline: ``spacy.blank("en")`` plus this package's registered components.

Order matters: sentences first (every component reads them), then the span finders (money,
durations, dates, routes, resolutions), then roles, which reads the others' spans.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import spacy
from spacy.language import Language

from extract.analysis import (  # noqa: F401 (registers)
    category,
    dates,
    durations,
    money,
    resolutions,
    roles,
    routes,
    segment,
    suppliers,
)
from extract.analysis.base import items
from extract.analysis.tokenizer import tune

COMPONENTS = (
    "papers_sentences",
    "papers_money",
    "papers_durations",
    "papers_dates",
    "papers_routes",
    "papers_resolutions",
    "papers_roles",
    "papers_suppliers",
    "papers_category",
)
_lock = threading.Lock()
_nlp: Language | None = None


def build() -> Language:
    """A fresh pipeline (tests use this; everything else shares ``get_nlp()``)."""
    nlp = spacy.blank("en")
    tune(nlp)
    for name in COMPONENTS:
        nlp.add_pipe(name)
    nlp.max_length = 5_000_000
    return nlp


def get_nlp() -> Language:
    """The process-wide pipeline, built on first use (loading costs ~0.5 s; a call costs ms)."""
    global _nlp
    if _nlp is None:
        with _lock:
            if _nlp is None:
                _nlp = build()
    return _nlp


@dataclass
class Analysis:
    """What the pipeline found in one text: (offsets, value) pairs per group plus roles."""

    spans: dict[str, list[tuple[int, int, str, dict[str, Any]]]] = field(default_factory=dict)
    roles: dict[str, Any] = field(default_factory=dict)


def analyse(text: str, metadata: dict[str, str] | None = None) -> Analysis:
    nlp = get_nlp()
    doc = nlp.make_doc(text)
    doc.user_data["papers_text"] = text  # base.text_of: the tokenizer is lossless, so doc.text == text
    doc._.metadata = metadata or {}
    for _, proc in nlp.pipeline:
        doc = proc(doc)
    result = Analysis(roles=dict(doc._.roles or {}))
    for key in ("money", "durations", "dates", "routes", "resolutions", "suppliers", "category"):
        result.spans[key] = [(s.start_char, s.end_char, s.text, v) for s, v in items(doc, key)]
    return result
