"""PDF text layer on PDFs generated at test time with fpdf2.

The prose is from a public decision record (Brighton & Hove City Council, "School Meals
Contract", https://democracy.brighton-hove.gov.uk/ieDecisionDetails.aspx?AIId=95878), laid out
the ways council reports are: two columns, a value table, running headers and footers with page
numbers, a hyphenated line break, an image-only (scanned) page, encryption and truncation.
"""

from __future__ import annotations

import io
import shutil

import pytest
from fpdf import FPDF

from extract.pipeline import extract_bytes, extract_path
from extract.text.pdf import drop_furniture, from_pdf, join_pages

LEFT = (
    "This report will seek agreement to procure a new school meals contract from August 2024. "
    "The Committee agreed to grant delegated authority to the Executive Director."
)
RIGHT = (
    "The contract for the provision of school meals runs for an initial term of four years "
    "with an option to extend for a further two periods of 12 months."
)
HEADER, FOOTER = "Children, Young People & Skills Committee 12 June 2023", "Page {n} of {total}"


def _pdf() -> FPDF:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_font("Helvetica", size=10)
    return pdf


def two_column_pdf() -> bytes:
    pdf = _pdf()
    pdf.add_page()
    for x, text in ((10, LEFT), (115, RIGHT)):
        pdf.set_xy(x, 20)
        pdf.multi_cell(85, 5, (text + " ") * 4)
    return bytes(pdf.output())


def report_pdf(pages: int = 3) -> bytes:
    """Running header and footer on every page, a table, a hyphenated word across a line break."""
    pdf = _pdf()
    for n in range(1, pages + 1):
        pdf.add_page()
        pdf.set_xy(10, 8)
        pdf.cell(0, 5, HEADER)
        pdf.set_xy(10, 285)
        pdf.cell(0, 5, FOOTER.format(n=n, total=pages))
        pdf.set_xy(10, 30)
        if n == 1:
            pdf.multi_cell(0, 5, "The council will go out to tender for the pro-\ncurement of school meals.")
            pdf.set_xy(10, 60)
            with pdf.table(col_widths=(60, 60)) as table:
                for row in (
                    ("Item", "Amount"),
                    ("Contract value", "£1,200,000 per annum"),
                    ("Term", "4 years"),
                ):
                    cells = table.row()
                    for value in row:
                        cells.cell(value)
        else:
            pdf.multi_cell(0, 5, f"Section {n}. " + RIGHT)
    return bytes(pdf.output())


SCANNED_LINES = ("The contract will cost £750,000 per year", "for a period of three years from 1 April 2024.")


def image_only_pdf() -> bytes:
    """A scanned-looking page: the words exist only as pixels."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (1400, 500), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=40)
    for n, line in enumerate(SCANNED_LINES):
        draw.text((40, 60 + 100 * n), line, fill=0, font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    pdf = _pdf()
    pdf.add_page()
    pdf.image(io.BytesIO(buffer.getvalue()), x=10, y=10, w=190)
    return bytes(pdf.output())


def encrypted_pdf() -> bytes:
    pdf = _pdf()
    pdf.set_encryption(owner_password="owner", user_password="secret")
    pdf.add_page()
    pdf.cell(0, 5, LEFT)
    return bytes(pdf.output())


def test_two_columns_read_column_by_column():
    text = from_pdf(two_column_pdf()).text
    flat = " ".join(text.split())
    assert flat.index("delegated authority to the Executive Director") < flat.index(
        "The contract for the provision"
    )
    assert "Director. The contract" not in flat.split("The contract for the provision")[0][-10:]


def test_headers_footers_and_page_numbers_dropped_hyphens_repaired():
    result = from_pdf(report_pdf())
    assert result.status == "ok" and result.pages == 3
    assert HEADER not in result.text and "Page 2 of 3" not in result.text
    assert "procurement of school meals" in result.text


def test_table_rows_feed_money_rules(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(report_pdf())
    record = extract_path(path)
    assert record.content_type == "application/pdf" and record.page_type == "report"
    assert "Contract value | £1,200,000 per annum" in record.text
    assert [(m.amount, m.per) for m in record.money] == [(1_200_000, "year")]
    assert "tender" in record.procurement
    assert all(record.text[d.start : d.end] == d.text for d in record.dates)
    assert "2023-06-12" not in [d.date for d in record.dates]  # the running header's date is gone


def test_image_only_page_needs_ocr_without_tesseract(monkeypatch):
    monkeypatch.setattr("extract.text.pdf.shutil.which", lambda name: None)
    result = from_pdf(image_only_pdf())
    assert result.status == "needs_ocr" and "tesseract" in result.status_detail


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="Tesseract (optional extra) not installed")
def test_image_only_page_is_ocred():
    result = from_pdf(image_only_pdf())
    assert result.status == "ocr"
    assert "three years from 1 April 2024" in " ".join(result.text.split())
    record = extract_bytes(image_only_pdf(), source="scan.pdf", content_type="application/pdf")
    assert [d.date for d in record.dates] == ["2024-04-01"]
    assert [(d.months, d.kind) for d in record.durations] == [(36, "term")]


def test_encrypted_truncated_and_fake_pdfs_get_statuses():
    assert (
        extract_bytes(encrypted_pdf(), source="e.pdf", content_type="application/pdf").status == "encrypted"
    )
    data = report_pdf()
    truncated = extract_bytes(data[: len(data) // 3], source="t.pdf", content_type="application/pdf")
    # A third of the file cuts the content stream and loses the cross-reference table and trailer.
    assert (truncated.status, truncated.text) == ("corrupt", "")
    assert truncated.status_detail.startswith("unreadable PDF")
    fake = extract_bytes(b"<html>not a pdf</html>", source="f.pdf", content_type="application/pdf")
    assert fake.status == "corrupt" and "not a PDF" in fake.status_detail


def test_blank_pdf_is_empty():
    pdf = _pdf()
    pdf.add_page()
    assert from_pdf(bytes(pdf.output())).status == "empty"


def test_furniture_needs_repetition():
    bodies = ["Award of contract.", "Term of four years.", "Value of the contract.", "Reasons for decision."]
    pages = [
        ["Cabinet report", "Summary", body, "Details follow here.", "Contact officer", str(n)]
        for n, body in enumerate(bodies, 1)
    ]
    text = join_pages(drop_furniture(pages))
    assert "Cabinet report" not in text and "Term of four years." in text and "\n4" not in text
    assert "Cabinet report" in join_pages(drop_furniture(pages[:1]))  # one page: nothing repeats
