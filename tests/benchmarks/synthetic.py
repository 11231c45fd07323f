"""Synthetic records for benchmarks, made from the bundled dev texts (corpora/texts/dev).

Bodies are 150–900 words of real council sentences drawn at random, so term frequencies are
those of real pages; councils, page types, dates, committees, makers, routes and contract terms
vary, and contract decisions name suppliers and a CPV category. Deterministic for a seed, and streamed: ``synthetic_records(100_000)`` never holds more
than one record, so any benchmark can use it without its memory showing up in the figures.

    from tests.benchmarks.synthetic import synthetic_records
    for record in synthetic_records(100_000, seed=7): ...
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from papers.schema import OCDS_METHOD, Category, ContractSummary, Record, Supplier

DEV_TEXTS = Path(__file__).resolve().parents[2] / "corpora" / "texts" / "dev"

COUNCILS = (
    "barnet",
    "birmingham",
    "bristol",
    "bromley",
    "camden",
    "cornwall",
    "croydon",
    "derbyshire",
    "devon",
    "dorset",
    "durham",
    "ealing",
    "essex",
    "hackney",
    "hampshire",
    "haringey",
    "hertfordshire",
    "islington",
    "kent",
    "lambeth",
    "lancashire",
    "leeds",
    "leicestershire",
    "lewisham",
    "liverpool",
    "manchester",
    "newcastle",
    "norfolk",
    "nottingham",
    "oxfordshire",
    "sheffield",
    "somerset",
    "southwark",
    "suffolk",
    "surrey",
    "sutton",
    "wandsworth",
    "westminster",
    "wiltshire",
    "york",
)
PAGE_TYPES = (("decision_details", 50), ("report", 20), ("agenda_item", 15), ("minutes", 10), ("other", 5))
COMMITTEES = (
    "Cabinet",
    "Executive",
    "Adult Social Care Committee",
    "Children's Services Committee",
    "Environment and Highways Committee",
    "Policy and Resources Committee",
    "Scrutiny Board",
)
MAKERS = (
    "Cabinet",
    "Leader of the Council",
    "Cabinet Member for Highways",
    "Director of Adult Services",
    "Executive Member for Children",
    "Head of Procurement",
    "Corporate Director of Resources",
)
ROUTES = tuple(OCDS_METHOD)
TERMS = (12, 18, 24, 36, 48, 60, 84, 120)
SUPPLIERS = (
    ("Amey Community Ltd", "amey community"),
    ("Capita Business Services Ltd", "capita business services"),
    ("Veolia ES (UK) Limited", "veolia es"),
    ("Kier Highways Ltd", "kier highways"),
    ("Serco Limited", "serco"),
    ("Biffa Municipal Ltd", "biffa municipal"),
    ("Mears Group plc", "mears group"),
    ("Sodexo Ltd", "sodexo"),
    ("Agilisys Limited", "agilisys"),
    ("Ringway Infrastructure Services", "ringway infrastructure services"),
    ("Barnardo's", "barnardos"),
    ("Turning Point", "turning point"),
)
CATEGORIES = (  # CPV 2008 codes with their check digits
    ("85311000-2", "Social work services with accommodation"),
    ("85312400-3", "Welfare services not delivered through residential institutions"),
    ("45233141-9", "Road-maintenance works"),
    ("90511000-2", "Refuse collection services"),
    ("79710000-4", "Security services"),
    ("72000000-5", "IT services: consulting, software development, Internet and support"),
    ("55524000-9", "School catering services"),
    ("50700000-2", "Repair and maintenance services of building installations"),
)
CONTRACT_SHARE = 0.4  # of records that decide a contract
UNKNOWN_SHARE = 0.15  # of contracts with a total but no term: annual value unknown


@lru_cache(maxsize=1)
def source_text() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(sentences, titles) from the dev texts: sentences for bodies, short heading lines for titles."""
    sentences: list[str] = []
    titles: list[str] = []
    for path in sorted(DEV_TEXTS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        if text.startswith("URL: "):
            text = text.split("\n", 2)[-1]
        for line in text.splitlines():
            line = " ".join(line.split())
            if 3 <= len(line.split()) <= 12 and not any(ch in line for ch in ".:?;"):
                titles.append(line)
            sentences += [s for s in re.split(r"(?<=[.;:!?])\s+", line) if len(s.split()) >= 3]
    if not sentences:
        raise FileNotFoundError(f"no dev texts under {DEV_TEXTS}")
    return tuple(sentences), tuple(titles)


def _body(rng: random.Random, sentences: tuple[str, ...]) -> str:
    target = rng.randint(150, 900)
    parts: list[str] = []
    words = 0
    while words < target:
        sentence = sentences[rng.randrange(len(sentences))]
        parts.append(sentence)
        words += sentence.count(" ") + 1
    return " ".join(parts)


def _contract(rng: random.Random) -> tuple[ContractSummary, list[str]]:
    routes = rng.sample(ROUTES, rng.choice((1, 1, 1, 2)))
    annual = round(rng.lognormvariate(13.1, 1.3), -2)  # median about £500k a year
    term = rng.choice(TERMS)
    method = OCDS_METHOD[routes[0]]
    if rng.random() < UNKNOWN_SHARE:
        return ContractSummary(
            value_amount=annual * 3, value_per="total", total_value=annual * 3, procurement_method=method
        ), routes
    extension = rng.choice((None, None, 12, 24))
    return ContractSummary(
        value_amount=annual,
        value_per="year",
        annual_value=annual,
        total_value=annual * term / 12,
        annualised_by="stated",
        term_months=term,
        extension_months=extension,
        max_months=term + (extension or 0),
        procurement_method=method,
        procurement_method_details=", ".join(r.replace("_", " ") for r in routes),
    ), routes


def _award(rng: random.Random, text: str) -> tuple[str, list[Supplier], Category]:
    """The text with an award sentence appended, its supplier spans and the contract's category."""
    names = rng.sample(SUPPLIERS, rng.choice((1, 1, 2)))
    code, description = CATEGORIES[rng.randrange(len(CATEGORIES))]
    words = description.lower().split(":")[0]
    text += " The contract for "
    category = Category(
        id=code, description=description, text=words, start=len(text), end=len(text) + len(words)
    )
    text += words + " is awarded to "
    suppliers = []
    for n, (name, key) in enumerate(names):
        text += " and " if n else ""
        suppliers.append(Supplier(text=name, start=len(text), end=len(text) + len(name), name=name, key=key))
        text += name
    return text + ".", suppliers, category


def synthetic_records(
    n: int = 100_000, seed: int = 7, councils: tuple[str, ...] = COUNCILS
) -> Iterator[Record]:
    """``n`` varied records, one at a time; the same seed gives the same records."""
    rng = random.Random(seed)
    sentences, titles = source_text()
    types = [t for t, _ in PAGE_TYPES]
    weights = [w for _, w in PAGE_TYPES]
    for i in range(n):
        council = councils[rng.randrange(len(councils))]
        page_type = rng.choices(types, weights)[0]
        year = rng.randint(2010, 2024)
        contract, routes = _contract(rng) if rng.random() < CONTRACT_SHARE else (ContractSummary(), [])
        rid = f"{council}:{page_type}:{i}"
        text, suppliers, category = _body(rng, sentences), [], None
        if routes:
            text, suppliers, category = _award(rng, text)
        yield Record(
            id=rid,
            source=f"https://democracy.{council}.example/{page_type}/{i}",
            url=f"https://democracy.{council}.example/{page_type}/{i}",
            council=council,
            council_name=council.title() + " Council",
            page_type=page_type,
            title=titles[rng.randrange(len(titles))],
            committee=rng.choice(COMMITTEES),
            decision_maker=rng.choice(MAKERS),
            decision_date=f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            text=text,
            procurement=routes,
            suppliers=suppliers,
            category=category,
            contract=contract,
        )
