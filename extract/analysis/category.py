"""Category: what a page's contract buys, as a CPV 2008 code (GUIDE.md ``category``).

The vocabulary is the CPV list shipped in corpora/cpv (its descriptions, e.g. "Refuse collection
services", are phrases to find) plus a lexicon of the words councils use for the same things
("home to school transport", "domiciliary care", "bin collection"). Every phrase found votes for
its code; votes count in the page's opening lines (its title) and in sentences about a contract,
and barely elsewhere, so a division needs one such mention (or many passing ones). The division
with most votes wins, and within it the code named most often, so a page that says "school meals"
gets 55524000-9 and one that says only "catering" gets 55520000-1. With several contracts, the
words in the sentence of the largest contract value count extra (GUIDE: "the largest by value").
A page with no contract or purchase in it (an appointment, a motion, a plan) gets none.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from extract.analysis.base import add, flat_text, items, opening_chars, scanner, sentence

CPV_PATH = Path(__file__).resolve().parents[2] / "corpora" / "cpv" / "cpv2008.csv"

# Council phrasing -> CPV code (the code must be in cpv2008.csv). Plurals and hyphens are
# tolerated by _phrase(); an entry is a regex fragment.
LEXICON: dict[str, list[str]] = {
    # 85 health and social work
    "85311300-5": [
        r"children'?s (?:residential )?homes?",
        r"residential (?:care |provision |placements? |units? )?(?:for|of) children",
        r"(?:children|young people)(?: we care for| looked after)?'?s? (?:residential )?placements?",
        r"looked after children",
        r"fostering(?: services?| agenc(?:y|ies))?",
        r"foster (?:care|carers|placements?)",
        r"supported accommodation",
        r"semi[- ]independent",
        r"short breaks?",
        r"care leavers?",
        r"independent visitors?",
        r"child protection",
        r"children'?s? centres?",
        r"youth (?:support )?services?",
        r"integrated youth support",
        r"(?:children|young people)'?s? (?:advocacy|rights)",
        r"unaccompanied asylum",
    ],
    "85311100-3": [
        r"(?:residential|nursing) (?:and nursing )?(?:care )?homes?",
        r"residential and nursing care",
        r"care homes?",
        r"older people'?s? (?:services|care)",
        r"extra care",
    ],
    "85311200-4": [r"learning disabilit(?:y|ies) services?", r"supported living"],
    "85311000-2": [
        r"respite(?: care)?",
        r"residential care",
        r"supported housing",
        r"nursing care",
        r"refuges?",
        r"hostels?",
        r"homeless(?:ness)? (?:accommodation|support|services?)",
    ],
    "85312000-9": [
        r"housing[- ]related support",
        r"personal assistants?",
        r"direct payments? support",
        r"domiciliary (?:personal )?care",
        r"home care",
        r"homecare",
        r"care (?:at|in the) home",
        r"care and support at home",
        r"reablement",
        r"day (?:care|services|opportunities|centres?)",
        r"floating support",
        r"advocacy(?: services?)?",
        r"carers'? (?:support|services?)",
        r"domestic (?:abuse|violence)(?: support)? services?",
        r"family support",
        r"early help",
        r"befriending",
    ],
    "85320000-8": [r"social care", r"social services"],
    "85100000-0": [
        r"occupational health",
        r"health improvement",
        r"sexual (?:and reproductive )?health",
        r"public health services?",
        r"health visit(?:ing|ors?)",
        r"school nursing",
        r"school health",
        r"healthy child programme",
        r"0-19 services?",
        r"drugs? and alcohol",
        r"substance misuse",
        r"alcohol (?:treatment|services?)",
        r"mental health(?: and (?:emotional )?wellbeing)?(?: services?)?",
        r"emotional wellbeing",
        r"stop smoking",
        r"smoking cessation",
        r"nhs health checks?",
        r"weight management",
        r"health services?",
        r"health and wellbeing services?",
    ],
    "85000000-9": [r"health and social care", r"care (?:and support )?services?", r"care providers?"],
    # 90 refuse, cleaning and environmental services
    "90511000-2": [
        r"(?:refuse|waste|bin|recycling|household waste|garden waste|trade waste) collections?",
    ],
    "90510000-5": [
        r"waste (?:disposal|treatment|transfer)",
        r"(?:disposal|treatment) of (?:residual |household |municipal )?waste",
        r"residual waste",
        r"energy from waste",
    ],
    "90500000-2": [
        r"(?:clinical|hazardous|trade|commercial|garden|food|bulky) waste",
        r"waste (?:management|services?|contracts?)",
        r"recycling(?: services?)?",
    ],
    "90610000-6": [r"street (?:cleansing|cleaning|sweeping)", r"cleansing services?"],
    "90910000-9": [
        r"cleaning (?:services?|contracts?)",
        r"(?:building|office|school|window) cleaning",
        r"janitorial",
    ],
    "90400000-1": [r"sewage", r"drainage services?"],
    # 45 construction work
    "45000000-7": [
        r"fire (?:safety )?(?:works|doors|compartmentation)",
        r"bridge (?:works|strengthening|replacement|refurbishment)",
        r"asbestos removal",
        r"(?:school|classroom) (?:expansion|extension)s?",
        r"construction of (?:\d+ )?(?:new )?homes",
        r"construction (?:works?|contracts?|of)",
        r"building works?",
        r"capital works?",
        r"new[- ]build",
        r"minor works?",
        r"works contracts?",
        r"adaptations?",
        r"demolition",
        r"changing rooms?",
        r"flood (?:alleviation|defence) (?:works|scheme)",
    ],
    "45210000-2": [
        r"new (?:council )?homes",
        r"(?:construction|build(?:ing)?) of (?:a |an |the )?(?:new )?\w+ (?:centre|school|building|homes|houses)",
    ],
    "45453000-7": [
        r"refurbishment",
        r"(?:kitchen|bathroom|window|roof)s? replacement",
        r"replacement (?:of )?(?:kitchens|bathrooms|windows|roofs)",
    ],
    "45233140-2": [
        r"road ?works",
        r"highways? (?:improvement|works|schemes?|infrastructure)",
        r"resurfacing",
        r"carriageway",
        r"weather damaged roads",
        r"footways?",
    ],
    "45300000-0": [
        r"energy efficiency (?:works|measures|improvements)",
        r"boiler (?:replacement|installation)s?",
        r"insulation",
        r"heat pumps?",
        r"solar (?:pv|panels?)",
        r"retrofit",
        r"decarbonisation works",
        r"installation works?",
        r"heating installations?",
        r"pitched roofs?",
        r"roofing",
    ],
    # 50 repair and maintenance
    "50000000-5": [
        r"(?:highways?|term|property) maintenance",
        r"maintenance term contracts?",
        r"repairs? and maintenance",
        r"maintenance and repairs?",
        r"responsive repairs?",
        r"planned maintenance",
        r"term maintenance",
        r"voids?",
        r"maintenance (?:services?|contracts?)",
        r"housing repairs?",
        r"(?:maintain|repair|service)(?:s|ed|ing)?,? (?:(?:and|or) )?(?:repair|replace|maintain)\w*",
    ],
    "50700000-2": [
        r"(?:gas|boiler|heating) servicing",
        r"fire alarm (?:maintenance|servicing)",
        r"building maintenance",
        r"(?:mechanical|electrical) (?:and \w+ )?maintenance",
        r"servicing of",
    ],
    "50750000-7": [r"lifts? maintenance", r"maintenance of lifts"],
    "50232100-1": [r"street[- ]lighting(?: maintenance)?"],
    "50100000-6": [r"(?:vehicle|fleet) (?:maintenance|repairs?)"],
    # 60 transport
    "60130000-8": [
        r"home to school(?:/college)?",
        r"(?:send|sen|special educational needs) (?:home to school )?transport",
        r"school transport",
        r"passenger transport",
        r"travel assistance",
        r"transport routes?",
        r"community transport",
    ],
    "60112000-6": [r"bus services?", r"local bus"],
    "60100000-9": [r"transport services?", r"taxis?", r"chauffeur\w*"],
    # 09 energy
    "09310000-5": [r"electricity(?: supply)?", r"supply of electricity"],
    "09123000-7": [r"(?:natural )?gas supply", r"supply of gas"],
    "09300000-2": [r"energy (?:supply|procurement|contracts?)", r"supply of energy", r"heat network"],
    "09100000-0": [r"fuel cards?", r"(?:diesel|fuel) supply", r"supply of fuel"],
    # 48 software, 72 IT services
    "48000000-8": [
        r"(?:software|microsoft|oracle|sap) licen[cs](?:es|ing)",
        r"software",
        r"licen[cs]es? (?:for|of) (?:the )?\w+",
        r"(?:case management|information|it|ict|housing|finance|payroll|hr|management) systems?",
        r"solution application",
    ],
    "72000000-5": [
        r"cloud (?:services|hosting)",
        r"data cent(?:re|er)",
        r"website",
        r"cyber security",
        r"it services",
        r"ict services",
        r"digital services",
        r"hosting",
    ],
    "72500000-0": [r"support and maintenance"],
    # 79 business services
    "79100000-5": [r"legal services?", r"legal advice"],
    "79710000-4": [r"security (?:guarding|services?|officers)", r"manned guarding", r"key ?holding"],
    "79714000-2": [r"cctv(?: monitoring)?", r"surveillance"],
    "79620000-6": [
        r"agency (?:staff|workers?|workforce)",
        r"temporary (?:staff|workers?|labour)",
        r"interim staff",
    ],
    "79993000-1": [r"facilities management", r"\bfm (?:contracts?|services?)"],
    "79400000-8": [r"consultancy", r"management consultants?"],
    "79600000-0": [r"recruitment services?"],
    "79000000-4": [
        r"payroll services?",
        r"events? management",
        r"marketing(?: services| campaigns?)?",
        r"(?:external |internal )?audit(?:ing)? services",
        r"external audit",
        r"debt (?:collection|recovery)",
        r"enforcement agents?",
        r"bailiffs?",
        r"audit services",
        r"print and post",
        r"business services?",
        r"printing",
        r"translation",
        r"interpret(?:ing|ation) services?",
        r"call cent(?:re|er)",
    ],
    # 66 financial and insurance
    "66510000-8": [r"insurances?", r"insurers?"],
    "66000000-0": [
        r"investment management",
        r"fund managers?",
        r"banking",
        r"financial services?",
        r"treasury management",
        r"payment services?",
    ],
    # 71 architecture and engineering
    "71200000-0": [r"architect(?:s|ural)?(?: services)?", r"design (?:team|services)"],
    "71300000-1": [r"engineering (?:services|consultancy)", r"structural engineer"],
    "71630000-3": [
        r"inspection and testing",
        r"testing (?:and|of) (?:\w+ )?(?:installations|inspection)",
        r"fire risk assessments?",
        r"surveys?",
    ],
    "71000000-8": [r"quantity survey(?:ing|ors?)", r"project management services?", r"multi[- ]disciplinary"],
    # 55 catering
    "55524000-9": [r"school meals?", r"school catering"],
    "55520000-1": [r"catering(?: services?)?", r"meals on wheels", r"meals"],
    # 77 grounds
    "77314000-4": [r"grounds maintenance", r"grass cutting"],
    "77313000-7": [r"parks? maintenance", r"parks and open spaces"],
    "77300000-3": [r"horticultur\w+", r"arboricultur\w+", r"tree (?:works|surgery|services)", r"landscaping"],
    # 92 leisure, sport, culture
    "92610000-0": [
        r"leisure (?:centres?|facilities|management|services?|contracts?)",
        r"sports? (?:centres?|facilities)",
        r"swimming pools?",
    ],
    "92600000-7": [
        r"sport(?:s|ing)? (?:development|activities|services)",
        r"play and leisure",
        r"\bplay (?:schemes?|services)",
    ],
    "92500000-6": [
        r"librar(?:y|ies)",
        r"museums?",
        r"archives?",
        r"arts? (?:and culture|services)",
        r"cultural services?",
    ],
    # 98 other community services
    "98351000-8": [
        r"pay and display",
        r"parking (?:enforcement|services?|management)",
        r"car park(?:s|ing)? (?:management|services?)",
        r"civil enforcement",
    ],
    "98371000-4": [r"funeral", r"crematori(?:um|a)", r"bereavement services?"],
    "98000000-3": [r"community services?"],
    # 34 vehicles
    "34100000-8": [
        r"vehicles?",
        r"fleet (?:replacement|purchase|procurement)",
        r"refuse collection vehicles?",
    ],
    "34120000-4": [r"minibus(?:es)?", r"coaches"],
    "34130000-7": [r"vans?", r"tippers?", r"lorr(?:y|ies)", r"gritters?"],
    # 80 education and training
    "80500000-9": [r"training (?:services?|programmes?|courses?|provision)", r"apprenticeships?"],
    "80000000-4": [r"education (?:services?|provision)", r"tuition", r"alternative provision"],
    # others
    "55000000-0": [r"bed and breakfast", r"hotel accommodation"],
    "30000000-9": [r"stationery", r"office supplies"],
    "50232000-0": [r"traffic (?:signals?|lights?)(?: maintenance)?"],
    "37000000-8": [r"play equipment", r"playground equipment"],
    "64000000-6": [r"postal services?", r"franking"],
    "90000000-7": [r"winter (?:gritting|maintenance)", r"gritting", r"environmental services"],
    "90900000-6": [r"pest control", r"public toilets?"],
    "64200000-8": [
        r"telecommunications?",
        r"telephony",
        r"mobile phones?",
        r"broadband",
        r"wide area network",
    ],
    "30200000-1": [r"laptops?", r"computers?", r"(?:it|ict) (?:equipment|hardware)", r"devices"],
    "39000000-2": [r"furniture", r"furnishings"],
    "33000000-0": [
        r"community equipment",
        r"medical equipment",
        r"pharmac\w+",
    ],
    "15000000-8": [r"food (?:supplies|supply|products)", r"groceries"],
    "18000000-9": [r"uniforms?", r"workwear", r"clothing", r"personal protective equipment", r"ppe"],
    "65000000-3": [r"water supply", r"utilities"],
    "70000000-1": [
        r"valuation services?",
        r"property management",
        r"lettings? (?:agency|services)",
        r"estate agency",
    ],
    "73000000-2": [r"research(?: and development)?(?: services)?", r"evaluation services?"],
}

# Words that make a sentence about a contract (a phrase there votes in full).
_CONTRACT = scanner(
    r"(?i:\b(?:contract|tender|procure|procurement|award|framework|commission(?:ing|ed)?|provision of|"
    r"supplier|provider|contractor|purchas\w+|extension|extend|re-?let|call[- ]off|spot|block)\b)"
)
# A page about buying something says so somewhere; without this, care words on a corporate-parenting
# strategy or an appointment page would pick a category for a page that buys nothing.
_BUYS = scanner(
    r"(?i:\b(?:contracts?|tender\w*|procure\w*|procurement|awarded|award of|framework agreement|"
    r"suppliers?|providers?|contractors?|consultants?|bidders?|tenderers?|architects?|operators?|"
    r"design team|purchas\w+|commissioning of|re-?commission\w*|"
    r"fee (?:rates?|levels?|uplift)|price for care|cost of care|rates? paid|spot|block|"
    r"delivery (?:and operation )?of|provision of)\b)"
)
_OPENING = 400  # characters of a page that hold its title and purpose


@lru_cache(maxsize=1)
def codes() -> dict[str, str]:
    """CPV code -> official description, from corpora/cpv/cpv2008.csv."""
    with CPV_PATH.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: row["description"] for row in csv.DictReader(handle)}


def _phrase(fragment: str) -> str:
    """A lexicon fragment as a pattern tolerating line breaks, hyphen/space variants and curly quotes."""
    return fragment.replace(" ", r"[\s-]+").replace("'", "[’']")


def _vocabulary() -> dict[str, list[str]]:
    """The lexicon plus each finer code's description as a phrase ("Refuse collection services" ->
    "refuse collection"); one-word descriptions ("Electricity") are left to the lexicon."""
    vocab = {code: list(fragments) for code, fragments in LEXICON.items()}
    for code, description in codes().items():
        if code[2:8] == "000000":
            continue
        words = re.sub(r"\s+(?:services?|work)$", "", description.lower())
        if " " in words and "," not in words and "(" not in words:
            vocab.setdefault(code, []).append(re.escape(words).replace(r"\ ", " ").replace(r"\-", "-"))
    return vocab


@lru_cache(maxsize=1)
def _phrases() -> tuple[re.Pattern[str], list[tuple[re.Pattern[str], str]]]:
    """One alternation over every phrase, and the phrases one by one to tell which code a match
    belongs to. The alternation is bucketed by first letter and longest first within a bucket
    ("school meals" before "meals"): Python tries every branch at every word, and per-phrase named
    groups or one flat list of ~350 branches made this the slowest rule of the pipeline. A phrase
    led by a group ("(?:refuse|waste) collections?") is tried only at the letters it can begin
    with, in the place its bucket held, and the letters' branches are grouped six to a lookahead."""
    known = codes()
    pairs = [(frag, code) for code, frags in _vocabulary().items() for frag in frags]
    missing = {code for _, code in pairs if code not in known}
    if missing:
        raise ValueError(f"lexicon codes not in {CPV_PATH.name}: {sorted(missing)}")
    pairs.sort(key=lambda p: -len(p[0]))
    buckets: dict[str, list[str]] = defaultdict(list)
    for frag, _ in pairs:
        first = frag[0].lower()
        buckets[first if first.isalnum() else ""].append(_phrase(frag))
    led = {phrase: opening_chars(phrase, re.I) for phrase in buckets.get("", [])}
    letters = [k for k in buckets if k] + sorted({c for cs in led.values() for c in cs or ()} - set(buckets))

    def branch(letter: str) -> str:
        alts: list[str] = []
        for first, phrases in buckets.items():
            if first == letter:
                alts += phrases
            elif not first:
                alts += [p for p, opens in led.items() if opens is None or letter in opens]
        return f"(?={re.escape(letter)})(?:" + "|".join(alts) + ")"

    groups = [letters[i : i + 6] for i in range(0, len(letters), 6)]
    branches = [
        "(?=[" + "".join(map(re.escape, group)) + "])(?:" + "|".join(map(branch, group)) + ")"
        for group in groups
    ]
    if anywhere := [p for p, opens in led.items() if opens is None]:
        branches.append("(?:" + "|".join(anywhere) + ")")
    anyone = re.compile(r"\b(?=\w)(?:" + "|".join(branches) + r")\b", re.I)
    return anyone, [(re.compile(_phrase(f), re.I), code) for f, code in pairs]


@lru_cache(maxsize=4096)
def code_of(phrase: str) -> str | None:
    """The CPV code of a matched phrase: that of the first (longest) lexicon entry it is."""
    return next((code for pattern, code in _phrases()[1] if pattern.fullmatch(phrase)), None)


def choose(votes: dict[str, float], first: dict[str, int]) -> str | None:
    """The winning code: the division with most votes (ties to the earliest mention), then the
    code of that division with most votes (ties to the finer code)."""
    if not votes:
        return None
    by_division: dict[str, float] = defaultdict(float)
    for code, vote in votes.items():
        by_division[code[:2]] += vote
    best = max(by_division, key=lambda d: (by_division[d], -min(first[c] for c in votes if c[:2] == d)))
    members = [c for c in votes if c[:2] == best]
    return max(members, key=lambda c: (votes[c], len(c[:8].rstrip("0")), -first[c]))


@Language.component("papers_category")
def category_component(doc: Doc) -> Doc:
    """doc.spans['category']: the first mention of the chosen CPV code, valued with id/description."""
    text = flat_text(doc)
    if not _BUYS.search(text):
        return doc
    pattern = _phrases()[0]
    # "With several contracts, the largest by value": its sentence's words count double
    values = [(v["amount"], s.start_char) for s, v in items(doc, "money") if v.get("is_contract_value")]
    largest = sentence(doc, max(values)[1]) if values else (-1, -1)
    votes: dict[str, float] = defaultdict(float)
    first: dict[str, int] = {}
    spans: dict[str, tuple[int, int]] = {}
    for match in pattern.finditer(text):
        code = code_of(match.group().lower())
        if code is None:
            continue
        s_start, s_end = sentence(doc, match.start())
        strong = (
            (match.start() < _OPENING) * 2
            + bool(_CONTRACT.search(text, s_start, s_end))
            + ((s_start, s_end) == largest) * 2
        )
        votes[code] += 1.0 + strong if strong else 0.25
        if code not in first:
            first[code], spans[code] = match.start(), match.span()
    code = choose(votes, first)
    if code and sum(v for c, v in votes.items() if c[:2] == code[:2]) >= 2:
        add(doc, "category", *spans[code], "CATEGORY", id=code, description=codes()[code])
    return doc
