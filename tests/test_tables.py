"""Terminal tables (papers/tables.py): legible at 80, 100 and 120 columns, whole values when piped.

The contracts table is what a benchmarking user came for: whatever the width, every date and
amount appears whole, no line is wider than the terminal, and a piped table keeps every value.
"""

import re

import click
import pytest
from click.testing import CliRunner

from papers.cli import cli
from papers.commands.index import render_contracts, render_search
from papers.tables import Column, render
from tests.fixtures.index.records import framework_contract, record

LONG_TITLE = (
    "Request for the council to lead the joint procurement of services for children missing from "
    "home and for care and exploitation services for young people across the sub-region"
)


def contract_row(n: int, **over) -> dict:
    row = {
        "id": f"hal:decision_details:{n}",
        "council": "HAL",
        "council_name": "Rotherham Metropolitan Borough Council",
        "title": LONG_TITLE if n % 2 else f"Missing from Home report {n}",
        "page_type": "decision_details",
        "decision_maker": "Executive Board",
        "decision_date": f"2018-01-{10 + n:02d}",
        "annual_value": 900_000.0 + n,
        "total_value": 61_800_000.0 + n,
        "annualised_by": "term",
        "term_months": 72.0,
        "extension_months": 24.0,
        "start_date": f"2019-04-{n:02d}",
        "end_date": f"2025-03-{20 + n:02d}",
        "procurement_method": "open",
        "routes": ["block_contract", "framework", "joint_procurement", "mini_competition"],
        "suppliers": [{"name": "Barnardo's", "key": "barnardos"}],
        "conflicts": ["end_date"] if n == 1 else [],
        "url": f"https://hal.test/{n}",
    }
    return row | over


RESULT = {
    "group_by": "council",
    "by_record": False,
    "total": 4,
    "rows": [contract_row(n) for n in range(1, 5)],
    "groups": [
        {
            "group": "HAL",
            "name": "Rotherham Metropolitan Borough Council",
            "count": 4,
            "known": 4,
            "unknown": 0,
            "q1": 900_001.75,
            "median": 900_002.5,
            "q3": 900_003.25,
        }
    ],
}
WHOLE_VALUES = {"£900,001", "£61,800,001", "£900,002", "£900,003"} | {
    v for r in RESULT["rows"] for v in (r["decision_date"], r["start_date"], r["end_date"])
}


@pytest.mark.parametrize("width", [80, 100, 120])
def test_contracts_keep_every_date_and_amount_whole_at_terminal_widths(width):
    text = render_contracts(RESULT, width)
    assert max(len(line) for line in text.splitlines()) <= width
    tokens = set(re.findall(r"[£\w,.:-]+", text))
    missing = WHOLE_VALUES - tokens
    assert not missing, f"cut or missing at {width} columns: {missing}\n{text}"
    assert "…" not in text
    # every word of every title is there: titles wrap, they are not cut
    for word in LONG_TITLE.split():
        assert word in tokens or word in text
    assert "joint_procurement" in text and "Rotherham" in text
    assert "Barnardo's" in text and "end_date" in text  # suppliers and differs fold, never vanish


@pytest.mark.parametrize("width", [80, 100])
def test_narrow_tables_fold_low_priority_columns_under_their_row(width):
    text = render_contracts(RESULT, width)
    header = text.splitlines()[1]
    assert header.split()[:4] == ["council", "title", "decided", "per"]
    assert "routes" not in header.split() and "routes:" in text and "mini_competition" in text


def test_a_very_narrow_terminal_gets_one_block_per_row():
    columns = (Column("title", wrap=True), Column("decided"), Column("per year", right=True))
    rows = [["A very long title that cannot share a line", "2020-01-31", "£1,234,567"]]
    text = render(columns, rows, 24)
    assert text.splitlines()[0] == "A very long title that"
    assert "  decided: 2020-01-31" in text.splitlines() and "  per year: £1,234,567" in text.splitlines()


def test_a_word_longer_than_its_column_is_never_cut():
    columns = (Column("url", wrap=True, min_width=10), Column("date"))
    url = "https://example.test/a/very/long/path/that/has/no/spaces.pdf"
    text = render(columns, [[url, "2021-02-03"]], 60)
    assert url in text and "2021-02-03" in text


def test_piped_tables_print_full_values_one_line_per_row():
    text = render_contracts(RESULT, None)
    for n in (1, 3):
        assert any(LONG_TITLE in line and f"£61,800,00{n}" in line for line in text.splitlines())


def test_search_hits_wrap_between_words_and_keep_urls_and_dates():
    hit = {
        "id": "hal:decision_details:1",
        "title": LONG_TITLE,
        "council": "HAL",
        "council_name": "Halton Borough Council",
        "decision_date": "2018-01-18",
        "page_type": "decision_details",
        "url": "https://hal.test/mgIssueHistoryHome.aspx?IId=123456&Opt=0&with=a-long-query-string",
        "snippet": "the <b>fostering</b> framework " * 12,
    }
    result = {"total": 1, "hits": [hit], "facets": {"council": {"HAL": 1}, "year": {"2018": 1}}}
    for width in (80, 100, 120):
        text = click.unstyle(render_search(result, 0, width))
        assert hit["url"] in text and "2018-01-18" in text
        assert "council: Halton Borough Council 1" in text
        assert all(len(line) <= width for line in text.splitlines() if hit["url"] not in line)


def test_piped_contracts_command_prints_whole_values(tmp_path):
    data = tmp_path / "data"
    rec = record(
        "hal:decision_details:1",
        LONG_TITLE,
        title=LONG_TITLE,
        decision_date="2019-05-01",
        procurement=["framework"],
        contract=framework_contract(2_500_000, "2019-07-01", "2022-06-30"),
    )
    src = tmp_path / "r.jsonl"
    src.write_text(rec.to_json() + "\n")
    runner = CliRunner()
    assert runner.invoke(cli, ["--data-dir", str(data), "index", str(src), "--no-progress"]).exit_code == 0
    out = runner.invoke(cli, ["--data-dir", str(data), "contracts"]).stdout
    assert "…" not in out and "£2,500,000" in out and "2019-05-01" in out
    assert any(LONG_TITLE in line and "£2,500,000" in line for line in out.splitlines())


@pytest.mark.parametrize("width", [80, 100, 120])
def test_run_and_crawl_tables_fit_the_terminal_and_keep_every_count(width):
    from papers.commands.crawl import render_table
    from papers.commands.update import render_run, render_runs
    from papers.pipeline.runs import Run, StageRow

    stages = [
        StageRow("Bromley", "crawl", 12345, 67, 8901, 23, 1234.5),
        StageRow("Bromley", "extract", 12340, 60, 0, 7),
        StageRow("Bromley", "index", 98765, 0, 0, 43),
        StageRow("*", "crawl", 12345, 67, 8901, 23, 1234.5),
    ]
    flags = [
        {"council": "Bromley", "flag": "failure_rate", "message": "Bromley failed 23 of 12,436 requests"}
    ]
    run = Run(
        17, "update", "2026-12-06T02:15:00Z", "2026-12-06T03:15:00Z", "partial", 1, {}, {}, stages, flags
    )
    shown = render_run(run, width)
    runs = render_runs([run], width)
    crawled = render_table(
        {
            "councils": {
                "BRY": {
                    "new": 12345,
                    "changed": 67,
                    "unchanged": 8901,
                    "failed": 23,
                    "requests": {"answered": 21313},
                    "seconds": 1234.5,
                    "status": "partial",
                }
            },
            "totals": {"new": 12345, "changed": 67, "unchanged": 8901, "failed": 23},
            "seconds": 1240.0,
        },
        width,
    )
    for text in (shown, runs, crawled):
        assert max(len(line) for line in text.splitlines()) <= width, text
    tokens = set(re.findall(r"[\w.:-]+", shown))
    assert {"12345", "67", "8901", "23", "1234.5", "12340", "60", "7", "98765", "43"} <= tokens
    assert "2026-12-06T02:15:00Z" in runs and "12345" in runs and "!!" in runs
    assert {"12345", "67", "8901", "23", "21313", "1234.5", "partial"} <= set(crawled.split())
