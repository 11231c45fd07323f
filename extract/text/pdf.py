"""PDF reports: reading-order text per page, tables as rows, page furniture dropped.

pdfplumber gives word positions, so we can (1) read two-column pages column by column,
(2) keep tables as ``cell | cell`` rows (a contract value often sits in a table), and
(3) drop running headers/footers and page numbers, which otherwise split sentences and add
false dates ("Cabinet 19 November 2019" on every page). Hyphenated line breaks are repaired.
Broken input never raises: the result's status says encrypted/corrupt/empty/needs_ocr.
"""

from __future__ import annotations

import io
import logging
import re
import shutil
from collections import Counter

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

from extract.text import TextResult
from extract.text.metadata import parse_labels

log = logging.getLogger(__name__)

_PAGE_NUMBER = re.compile(r"^\s*(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?\s*$|^\s*-\s*\d{1,4}\s*-\s*$", re.I)
_HYPHEN_BREAK = re.compile(r"(?<=[a-z])-\n(?=[a-z])")
_DIGITS = re.compile(r"\d+")
# A gutter narrower than this (points) is word spacing, not a column break.
_MIN_GUTTER = 12


def _furniture_key(line: str) -> str:
    return _DIGITS.sub("#", line.strip().lower())


def _column_split(page) -> float | None:
    """The x of an empty vertical strip in the middle of the page that splits two columns."""
    words = page.extract_words(use_text_flow=False, keep_blank_chars=False)
    if len(words) < 40:
        return None
    width = float(page.width)
    lo, hi = int(width * 0.3), int(width * 0.7)
    covered = bytearray(int(width) + 2)
    for word in words:
        for x in range(max(int(word["x0"]), lo), min(int(word["x1"]) + 1, hi)):
            covered[x] = 1
    best, run_start = None, None
    for x in range(lo, hi + 1):
        if x < hi and not covered[x]:
            run_start = x if run_start is None else run_start
        elif run_start is not None:
            if x - run_start >= _MIN_GUTTER and (best is None or x - run_start > best[1] - best[0]):
                best = (run_start, x)
            run_start = None
    if best is None:
        return None
    mid = (best[0] + best[1]) / 2
    left = sum(1 for w in words if w["x1"] <= mid)
    return mid if min(left, len(words) - left) >= 10 else None


def _table_rows(page) -> tuple[list[str], list[tuple]]:
    rows, boxes = [], []
    for table in page.find_tables():
        boxes.append(table.bbox)
        for row in table.extract():
            cells = [" ".join((c or "").split()) for c in row]
            if any(cells):
                rows.append(" | ".join(c for c in cells if c))
    return rows, boxes


def _outside(boxes):
    def keep(obj) -> bool:
        x, top = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] <= x <= b[2] and b[1] <= top <= b[3] for b in boxes)

    return keep


def page_lines(page, tables: bool = True) -> list[str]:
    """The lines of one page in reading order, with its tables appended as rows."""
    rows, boxes = _table_rows(page) if tables else ([], [])
    body = page.filter(_outside(boxes)) if boxes else page
    split = _column_split(body)
    if split is None:
        parts = [body]
    else:
        parts = [body.crop((0, 0, split, body.height)), body.crop((split, 0, body.width, body.height))]
    lines: list[str] = []
    for part in parts:
        lines += (part.extract_text() or "").splitlines()
    return lines + rows


def drop_furniture(pages: list[list[str]]) -> list[list[str]]:
    """Remove page numbers and lines repeated at the top or bottom of most pages."""
    edge = Counter()
    for lines in pages:
        nonblank = [ln for ln in lines if ln.strip()]
        for line in set(nonblank[:2] + nonblank[-2:]):
            edge[_furniture_key(line)] += 1
    repeated = {k for k, n in edge.items() if len(pages) >= 3 and n >= max(3, len(pages) * 0.6)}
    cleaned = []
    for lines in pages:
        nonblank_idx = [i for i, ln in enumerate(lines) if ln.strip()]
        edges = set(nonblank_idx[:2] + nonblank_idx[-2:])
        cleaned.append([
            ln for i, ln in enumerate(lines)
            if not (i in edges and (_PAGE_NUMBER.match(ln) or _furniture_key(ln) in repeated))
        ])
    return cleaned


def join_pages(pages: list[list[str]]) -> str:
    """Pages separated by a blank line, hyphenated line breaks repaired."""
    text = "\n\n".join("\n".join(lines).strip("\n") for lines in pages if any(ln.strip() for ln in lines))
    return _HYPHEN_BREAK.sub("", text).strip() + "\n" if text.strip() else ""


def _ocr(page) -> str | None:
    """OCR one image-only page when Tesseract and pytesseract are installed (optional extra)."""
    if not shutil.which("tesseract"):
        return None
    try:
        import pytesseract
    except ImportError:
        return None
    image = page.to_image(resolution=200).original
    return pytesseract.image_to_string(image)


def from_pdf(data: bytes, *, tables: bool = True) -> TextResult:
    """Text of a PDF, or a status explaining why there is none."""
    if not data.lstrip()[:5].startswith(b"%PDF"):
        return TextResult(status="corrupt", status_detail="not a PDF (no %PDF header)")
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages, image_only, ocred = [], 0, 0
            for page in pdf.pages:
                lines = page_lines(page, tables=tables)
                if not any(ln.strip() for ln in lines) and page.images:
                    text = _ocr(page)
                    if text is None:
                        image_only += 1
                    else:
                        ocred += 1
                        lines = text.splitlines()
                pages.append(lines)
            count = len(pdf.pages)
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        return TextResult(status="encrypted", status_detail=f"encrypted PDF: {exc.__class__.__name__}")
    except Exception as exc:  # pdfminer raises many types on broken files; all mean "corrupt"
        inner = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else None  # pdfplumber wraps
        if isinstance(inner, (PDFPasswordIncorrect, PDFEncryptionError)) or "password" in str(exc).lower():
            return TextResult(status="encrypted", status_detail=f"encrypted PDF: {exc}")
        return TextResult(status="corrupt", status_detail=f"unreadable PDF: {exc.__class__.__name__}: {exc}"[:300])
    text = join_pages(drop_furniture(pages))
    if not text:
        if image_only:
            return TextResult(status="needs_ocr", pages=count,
                              status_detail=f"{image_only} image-only page(s); install tesseract-ocr to OCR them")
        return TextResult(status="empty", pages=count, status_detail="no text in the PDF")
    status, detail = "ok", None
    if image_only:
        status, detail = "needs_ocr", f"{image_only} of {count} pages are images without text"
    elif ocred:
        status, detail = "ocr", f"{ocred} of {count} pages read by OCR"
    return TextResult(text=text, metadata=parse_labels(text), pages=count, status=status, status_detail=detail)
