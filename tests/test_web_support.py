"""A small store and index for the web tests: real Records, indexed through index.service.

Shared by test_web_pages, test_web_api and test_browser. One record is hostile: markup and script
in its title, text, council name, decision maker and URL, so every page's escaping is exercised.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient

from crawlers.state import CrawlState
from index import service
from index.store import Store
from papers.pipeline.runs import Runs
from papers.schema import (
    Attachment,
    Category,
    ContractSummary,
    DateMention,
    Document,
    Duration,
    Money,
    Record,
    Resolution,
    RouteMention,
    Supplier,
)
from papers.settings import Settings
from papers.web import create_app
from tests.fixtures.index.records import framework_contract

XSS = "<script>alert('xss')</script>"
HOSTILE_ID = "evil:decision_details:666"
FOSTERING_ID = "bromley:decision_details:101"
REPORT_SHA = "abcdef123456" + "0" * 52
REPORT_ID = f"{FOSTERING_ID}/{REPORT_SHA[:12]}"
WASTE_ID = "southampton:decision_details:8"
VEOLIA = "veolia es"


def at(text: str, fragment: str, cls, **fields):
    """A span of ``cls`` over the first occurrence of ``fragment`` in ``text``."""
    start = text.index(fragment)
    return cls(text=fragment, start=start, end=start + len(fragment), **fields)


def fostering() -> Record:
    text = (
        "Decision details\n\nFostering framework award\n\nDecision Maker: Executive Member for Children\n\n"
        "RESOLVED that the contract for independent fostering services be awarded under the framework "
        "at £1.2 million per year for 3 years with an optional 2 year extension, from 1 April 2020 "
        "to 31 March 2023.\n\nReasons: the framework secures placements close to home."
    )
    return Record(
        id=FOSTERING_ID,
        source="https://democracy.bromley.gov.uk/ieDecisionDetails.aspx?ID=101",
        url="https://democracy.bromley.gov.uk/ieDecisionDetails.aspx?ID=101",
        council="bromley",
        council_name="London Borough of Bromley",
        page_type="decision_details",
        title="Fostering framework award",
        decision_date="2020-02-10",
        decision_maker="Executive Member for Children",
        text=text,
        money=[
            at(text, "£1.2 million per year", Money, amount=1_200_000, per="year", is_contract_value=True)
        ],
        durations=[
            at(text, "3 years", Duration, months=36, kind="term"),
            at(text, "2 year extension", Duration, months=24, kind="extension"),
        ],
        dates=[
            at(text, "1 April 2020", DateMention, date="2020-04-01"),
            at(text, "31 March 2023", DateMention, date="2023-03-31"),
        ],
        contract_start="2020-04-01",
        contract_end="2023-03-31",
        procurement=["framework"],
        procurement_mentions=[at(text, "under the framework", RouteMention, route="framework")],
        resolutions=[
            at(text, text[text.index("RESOLVED") : text.index("\n\nReasons")], Resolution, outcome="approved")
        ],
        contract=framework_contract(1_200_000, "2020-04-01", "2023-03-31"),
    )


def simple(
    rid: str,
    council: str,
    name: str,
    title: str,
    date: str,
    text: str,
    amount: str | None,
    annual: float | None,
    route: str | None,
    per: str = "year",
    term: float | None = None,
) -> Record:
    """A decision with one stated value (and optionally a route and a term)."""
    money = (
        [
            at(
                text,
                amount,
                Money,
                amount=annual if per == "year" else annual * term / 12,
                per=per,
                is_contract_value=True,
            )
        ]
        if amount
        else []
    )
    total = annual * term / 12 if annual and term else None
    return Record(
        id=rid,
        source=f"https://{council}.example.test/{rid}",
        url=f"https://{council}.example.test/d/{rid}",
        council=council,
        council_name=name,
        page_type="decision_details",
        title=title,
        decision_date=date,
        text=text,
        money=money,
        procurement=[route] if route else [],
        procurement_mentions=[at(text, route.replace("_", " "), RouteMention, route=route)] if route else [],
        contract=ContractSummary(
            value_amount=money[0].amount if money else None,
            value_per=per if money else None,
            annual_value=annual,
            total_value=total,
            term_months=term,
            annualised_by=("stated" if per == "year" else "total_over_term") if annual else None,
            procurement_method_details=route,
        ),
    )


def supplied(rec: Record, name: str, key: str, words: str, code: str, description: str) -> Record:
    """The record with a named supplier and a CPV category read from its text."""
    rec.suppliers = [at(rec.text, name, Supplier, name=name, key=key)]
    rec.category = at(rec.text, words, Category, id=code, description=description)
    return rec


def hostile() -> Record:
    text = (
        f"Fostering decision {XSS} with <img src=x onerror=alert('img')> and a price of £5,000 per year "
        "under a block contract. </textarea></title>\"' onmouseover=alert(1) \x0b end."
    )
    return Record(
        id=HOSTILE_ID,
        source="javascript:alert('source')",
        url="javascript:alert('url')",
        council="evil",
        council_name=f"<b>Evil</b> & Co {XSS}",
        page_type="decision_details",
        title=f"{XSS} fostering <i>award</i>",
        decision_date="2022-06-01",
        decision_maker=f"<i>Mayor</i>{XSS}",
        committee=f"<u>Cabinet</u>{XSS}",
        text=text,
        money=[at(text, "£5,000 per year", Money, amount=5000, per="year", is_contract_value=True)],
        procurement=["block_contract"],
        procurement_mentions=[at(text, "block contract", RouteMention, route="block_contract")],
        contract=ContractSummary(
            value_amount=5000,
            value_per="year",
            annual_value=5000,
            annualised_by="stated",
            procurement_method="limited",
            procurement_method_details="block_contract",
        ),
    )


def report() -> Record:
    text = "Report to the Executive: the independent fostering framework, options appraisal and costs."
    return Record(
        id=REPORT_ID,
        source="https://democracy.bromley.gov.uk/documents/report.pdf",
        url="https://democracy.bromley.gov.uk/documents/report.pdf",
        council="bromley",
        council_name="London Borough of Bromley",
        page_type="report",
        document_id=FOSTERING_ID,
        title="Fostering framework: report",
        decision_date="2020-02-10",
        text=text,
        content_type="application/pdf",
    )


def records() -> list[Record]:
    return [
        fostering(),
        report(),
        simple(
            "bromley:decision_details:102",
            "bromley",
            "London Borough of Bromley",
            "Home care block contract",
            "2019-05-20",
            "Approve a block contract for home care at £450,000 per year for five years.",
            "£450,000 per year",
            450_000,
            "block_contract",
            term=60,
        ),
        simple(
            "southampton:decision_details:7",
            "southampton",
            "Southampton City Council",
            "Residential care block contract",
            "2021-09-01",
            "Award of a block contract for residential care worth £2.5 million per year.",
            "£2.5 million per year",
            2_500_000,
            "block_contract",
        ),
        supplied(
            simple(
                WASTE_ID,
                "southampton",
                "Southampton City Council",
                "Waste collection tender",
                "2018-03-12",
                "Following an open tender, award waste collection to Veolia ES (UK) Ltd for £10 million "
                "over five years.",
                "£10 million",
                2_000_000,
                "tender",
                per="total",
                term=60,
            ),
            "Veolia ES (UK) Ltd",
            VEOLIA,
            "waste collection",
            "90511000-2",
            "Refuse collection services",
        ),
        supplied(
            simple(
                "chorley:decision_details:30258",
                "chorley",
                "Chorley Council",
                "Waste management extension",
                "2019-07-01",
                "Approve the two year extension of the waste management contract with Veolia ES Limited.",
                None,
                None,
                "extension",
                term=24,
            ),
            "Veolia ES Limited",
            VEOLIA,
            "waste management",
            "90500000-2",
            "Refuse and waste related services",
        ),
        hostile(),
    ]


def build(data_dir: Path) -> Settings:
    """A data directory with the records above stored and indexed, a page with attachments, runs."""
    settings = Settings(data_dir=data_dir)
    with Store(settings.ensure().db_path) as store:
        store.put_document(
            Document(
                id=FOSTERING_ID,
                council="bromley",
                platform="moderngov",
                page_type="decision_details",
                url="https://democracy.bromley.gov.uk/ieDecisionDetails.aspx?ID=101",
                title="Fostering framework award",
                body="<html></html>",
                attachments=[
                    Attachment(
                        url="https://democracy.bromley.gov.uk/documents/report.pdf",
                        title="Report",
                        path="ab/report.pdf",
                        sha256=REPORT_SHA,
                        size=9,
                        content_type="application/pdf",
                    ),
                    Attachment(
                        url="https://democracy.bromley.gov.uk/documents/evil.html",
                        title="Escaping file",
                        path="../../outside.txt",
                        sha256="f" * 64,
                        size=6,
                        content_type="text/html",
                    ),
                ],
            )
        )
        runs = Runs(store.conn)
        first = runs.start("update", {})
        runs.stage(first, "bromley", "crawl", {"new": 2}, 1.0)
        runs.stage(first, "southampton", "crawl", {"new": 2}, 1.0)
        runs.finish(first, "ok", 0, {})
        second = runs.start("update", {})
        runs.stage(second, "bromley", "crawl", {"unchanged": 2}, 1.0)
        runs.stage(second, "southampton", "crawl", {"failed": 3}, 1.0)
        runs.flag(second, "southampton", "failing", "3 pages failed with HTTP 500")
        runs.finish(second, "partial", 1, {})
        state = CrawlState(store.conn)
        state.finish_council("chorley", date(2024, 3, 1), ok=True)
        state.record_failure(
            "https://chorley.example.test/ieDecisionDetails.aspx?ID=9",
            "chorley",
            "moderngov",
            "parse_decision",
            "https://chorley.example.test/ieDecisionDetails.aspx?ID=9",
            {},
            "HTTP 500",
        )
    files = settings.files_dir
    (files / "ab").mkdir(parents=True, exist_ok=True)
    (files / "ab" / "report.pdf").write_bytes(b"%PDF-1.4\n")
    (data_dir.parent / "outside.txt").write_text("secret")
    service.index_records(settings, records(), progress=False)
    return settings


def site(folder: Path) -> TestClient:
    """A test client over the sample data built in ``folder`` (settings: client.app.state.settings)."""
    return TestClient(create_app(build(folder / "data")))


def test_sample_spans_point_at_their_words():
    for rec in records():
        spans = [*rec.money, *rec.durations, *rec.dates, *rec.procurement_mentions, *rec.resolutions]
        for span in [*spans, *rec.suppliers, *([rec.category] if rec.category else [])]:
            assert rec.text[span.start : span.end] == span.text
