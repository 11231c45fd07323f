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
import pypdfium2
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

from extract.text import TextResult
from extract.text.metadata import parse_labels

log = logging.getLogger(__name__)

_PAGE_NUMBER = re.compile(
    r"^\s*(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?\s*$|^\s*-\s*\d{1,4}\s*-\s*$", re.I
)
_HYPHEN_BREAK = re.compile(r"(?<=[a-z])-\n(?=[a-z])")
_DIGITS = re.compile(r"\d+")
# A gutter narrower than this (points) is word spacing, not a column break.
_MIN_GUTTER = 12
# Pages drawing at least this many paths (lines, boxes) may hold a ruled table: pdfplumber reads them.
_TABLE_PATHS = 4


def _furniture_key(line: str) -> str:
    return _DIGITS.sub("#", line.strip().lower())


def gutter(boxes: list[tuple[float, float]], width: float, min_boxes: int = 40) -> float | None:
    """The x of an empty vertical strip in the middle of the page that splits two columns,
    given the (x0, x1) extents of the page's words or text runs."""
    if len(boxes) < min_boxes:
        return None
    lo, hi = int(width * 0.3), int(width * 0.7)
    covered = bytearray(int(width) + 2)
    for x0, x1 in boxes:
        for x in range(max(int(x0), lo), min(int(x1) + 1, hi)):
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
    left = sum(1 for _, x1 in boxes if x1 <= mid)
    return mid if min(left, len(boxes) - left) >= min_boxes // 4 else None


def _column_split(page) -> float | None:
    words = page.extract_words(use_text_flow=False, keep_blank_chars=False)
    return gutter([(w["x0"], w["x1"]) for w in words], float(page.width))


def fast_page_lines(page) -> list[str]:
    """pypdfium2 text of a page without tables, column by column when it has two."""
    textpage = page.get_textpage()
    try:
        width, height = page.get_size()
        rects = [textpage.get_rect(i) for i in range(textpage.count_rects())]
        split = gutter([(r[0], r[2]) for r in rects], width, min_boxes=16)
        if split is None:
            text = textpage.get_text_range()
        else:
            text = "\n".join(
                textpage.get_text_bounded(left, 0, right, height)
                for left, right in ((0, split), (split, width))
            )
    finally:
        textpage.close()
    # pdfium marks a hyphen it joined across a line break with U+FFFE; the word is whole again.
    return text.replace("\ufffe", "").replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _has_paths(page) -> bool:
    count = 0
    for _ in page.get_objects(filter=[pypdfium2.raw.FPDF_PAGEOBJ_PATH], max_depth=1):
        count += 1
        if count >= _TABLE_PATHS:
            return True
    return False


def _has_images(page) -> bool:
    return any(True for _ in page.get_objects(filter=[pypdfium2.raw.FPDF_PAGEOBJ_IMAGE], max_depth=2))


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
        cleaned.append(
            [
                ln
                for i, ln in enumerate(lines)
                if not (i in edges and (_PAGE_NUMBER.match(ln) or _furniture_key(ln) in repeated))
            ]
        )
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


def _read(data: bytes, tables: bool) -> tuple[list[list[str]], int, int, int]:
    """(lines per page, page count, image-only pages, OCRed pages)."""
    doc = pypdfium2.PdfDocument(data)
    plumber = None
    pages: list[list[str]] = []
    image_only = ocred = 0
    try:
        for i in range(len(doc)):
            page = doc[i]
            try:
                if tables and _has_paths(page):
                    if plumber is None:
                        plumber = pdfplumber.open(io.BytesIO(data))
                    lines = page_lines(plumber.pages[i], tables=True)
                else:
                    lines = fast_page_lines(page)
                if not any(ln.strip() for ln in lines) and _has_images(page):
                    if plumber is None:
                        plumber = pdfplumber.open(io.BytesIO(data))
                    text = _ocr(plumber.pages[i])
                    if text is None:
                        image_only += 1
                    else:
                        ocred += 1
                        lines = text.splitlines()
            finally:
                page.close()
            pages.append(lines)
        return pages, len(doc), image_only, ocred
    finally:
        if plumber is not None:
            plumber.close()
        doc.close()


def from_pdf(data: bytes, *, tables: bool = True) -> TextResult:
    """Text of a PDF, or a status explaining why there is none."""
    if not data.lstrip()[:5].startswith(b"%PDF"):
        return TextResult(status="corrupt", status_detail="not a PDF (no %PDF header)")
    try:
        pages, count, image_only, ocred = _read(data, tables)
    except pypdfium2.PdfiumError as exc:
        if "password" in str(exc).lower() or "security" in str(exc).lower():
            return TextResult(status="encrypted", status_detail=f"encrypted PDF: {exc}")
        return TextResult(status="corrupt", status_detail=f"unreadable PDF: {exc}"[:300])
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        return TextResult(status="encrypted", status_detail=f"encrypted PDF: {exc.__class__.__name__}")
    except Exception as exc:  # pdfminer raises many types on broken files; all mean "corrupt"
        inner = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else None  # pdfplumber wraps
        if isinstance(inner, (PDFPasswordIncorrect, PDFEncryptionError)) or "password" in str(exc).lower():
            return TextResult(status="encrypted", status_detail=f"encrypted PDF: {exc!r}")
        return TextResult(
            status="corrupt", status_detail=f"unreadable PDF: {exc.__class__.__name__}: {exc}"[:300]
        )
    text = join_pages(drop_furniture(pages))
    if not text:
        if image_only:
            return TextResult(
                status="needs_ocr",
                pages=count,
                status_detail=f"{image_only} image-only page(s); install tesseract-ocr to OCR them",
            )
        return TextResult(status="empty", pages=count, status_detail="no text in the PDF")
    status, detail = "ok", None
    if image_only:
        status, detail = "needs_ocr", f"{image_only} of {count} pages are images without text"
    elif ocred:
        status, detail = "ocr", f"{ocred} of {count} pages read by OCR"
    return TextResult(
        text=text, metadata=parse_labels(text), pages=count, status=status, status_detail=detail
    )
