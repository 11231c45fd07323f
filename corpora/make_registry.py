"""Rebuild corpora/councils.csv from DemocracyClub/LGSF's council list plus checked corrections.

Run from the repository root with the shared fixtures beside the clone (only needed to rebuild;
the project reads the committed corpora/councils.csv):

    python corpora/make_registry.py ../shared/fixtures/councils.csv

The corrections below come from the seed and dev texts (corpora/texts): where a text was fetched
from a council's democracy site, that site is the base URL we crawl, whatever LGSF recorded.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).parent
OUT = HERE / "councils.csv"
FIELDS = ["id", "name", "platform", "base_url", "nation", "notes", "status", "attribution"]

PLATFORMS = {"ModernGov": "moderngov", "CMIS": "cmis", "": "unknown"}

# id -> (platform, base_url, note). Each note says which text shows the council's real site.
CORRECTIONS: dict[str, tuple[str, str, str]] = {
    "BRY": (
        "moderngov",
        "https://cds.bromley.gov.uk",
        "LGSF lists a Custom HTML member index; seed s000 (Bromley agenda item) is a ModernGov mgAi page on cds.bromley.gov.uk",
    ),
    "STH": (
        "moderngov",
        "https://www.southampton.gov.uk/modernGov",
        "LGSF lists Custom HTML; seed s003 (Southampton decision details) is ModernGov under the /modernGov path",
    ),
    "CBF": (
        "moderngov",
        "https://centralbeds.moderngov.co.uk",
        "LGSF lists Custom HTML; dev d021 is an mgIssueHistoryHome page on centralbeds.moderngov.co.uk",
    ),
    "HAL": (
        "moderngov",
        "https://councillors.halton.gov.uk",
        "https per dev d002; seed s001 is a Halton Executive Board report",
    ),
    "CRW": ("moderngov", "https://democracy.crawley.gov.uk", "https per dev d003, d015"),
    "EHE": ("moderngov", "https://democracy.eastherts.gov.uk", "https per dev d004"),
    "BNH": (
        "moderngov",
        "https://democracy.brighton-hove.gov.uk",
        "LGSF has present.brighton-hove.gov.uk; dev d005 is on democracy.brighton-hove.gov.uk",
    ),
    "LEW": ("moderngov", "https://councilmeetings.lewisham.gov.uk", "https per dev d006"),
    "HIL": ("moderngov", "https://modgov.hillingdon.gov.uk", "https per dev d013"),
    "SWK": ("moderngov", "https://moderngov.southwark.gov.uk", "https per dev d135, d136"),
    "FEN": ("moderngov", "https://fenland.gov.uk/localgov", "site lives under /localgov (dev d014)"),
    "SHF": (
        "moderngov",
        "https://democracy.sheffield.gov.uk",
        "dev d133 shows the same site also answering as sheffieldcc.moderngov.co.uk",
    ),
    "NGM": (
        "moderngov",
        "https://committee.nottinghamcity.gov.uk",
        "seed s004 is a Nottingham City agenda item (mgAi)",
    ),
    "THR": ("moderngov", "https://democracy.thurrock.gov.uk", "seed s002 is a Thurrock issue-meetings page"),
    "LCE": (
        "moderngov",
        "https://cabinet.leicester.gov.uk",
        "links carry cookieless session segments /(S(...))/ (dev d024)",
    ),
    "SMT": (
        "moderngov",
        "https://democracy.somerset.gov.uk",
        "unitary Somerset Council since 2023; SOM (the former county) shares the site",
    ),
}
# Councils LGSF still lists that no longer exist, or rows that repeat another: not crawled (their
# sites now serve the successor, or the same pages twice). id -> (status, reason).
RETIRED: dict[str, tuple[str, str]] = {
    **dict.fromkeys(("FOR", "SED"), ("abolished", "abolished 2019; West Suffolk (WSK) runs the site")),
    **dict.fromkeys(("SUF", "WAV"), ("abolished", "abolished 2019; succeeded by East Suffolk (ESK)")),
    **dict.fromkeys(("NDO", "WDO", "WEY"), ("abolished", "abolished 2019; succeeded by Dorset Council")),
    **dict.fromkeys(("TAU", "WSO"), ("abolished", "abolished 2019; succeeded by Somerset West and Taunton")),
    **dict.fromkeys(
        ("AYL", "CHN", "WYO"), ("abolished", "abolished 2020; succeeded by Buckinghamshire Council")
    ),
    **dict.fromkeys(
        ("NOR", "SNR", "DAV", "NTH"),
        ("abolished", "abolished 2021; succeeded by West Northamptonshire (WNT)"),
    ),
    **dict.fromkeys(
        ("ALL", "BAR", "CMA", "COP", "EDN", "SLA"),
        ("abolished", "abolished 2023; succeeded by Cumberland and Westmorland and Furness"),
    ),
    **dict.fromkeys(
        ("NYK", "HAE", "HAG", "RIH", "RYE", "SCE", "SEL"),
        ("abolished", "abolished 2023; succeeded by North Yorkshire Council (NYE)"),
    ),
    **dict.fromkeys(
        ("SOM", "SSO", "SWT"), ("abolished", "abolished 2023; succeeded by Somerset Council (SMT)")
    ),
    "london": (
        "disabled",
        "its LGSF URL is the City of London's site (LND, crawled as LND), not the GLA's",
    ),
    "north-northamptonshire": ("disabled", "repeats NNT, which has the site"),
}
# Councils that share one democracy site: each page goes to the council whose name its committee,
# decision maker or title carries (crawlers/spiders/moderngov.py); joint bodies go to the first.
ATTRIBUTION = {
    "ADU": r"\bAdur\b",
    "WOT": r"\bWorthing\b",
    "BAB": r"\bBabergh\b",
    "MSU": r"\bMid Suffolk\b",
    "BRO": r"\bBroadland\b",
    "SNO": r"\bSouth Norfolk\b",
    "EAS": r"\bEastbourne\b",
    "LEE": r"\bLewes\b",
    "SHA": r"\bSouth Hams\b",
    "WDE": r"\bWest Devon\b",
}

# Councils whose texts we hold but which LGSF's list lacks (or lists under another body).
ADDITIONS = [
    {
        "id": "LND",
        "name": "City of London Corporation",
        "platform": "moderngov",
        "base_url": "https://democracy.cityoflondon.gov.uk",
        "nation": "ENG",
        "notes": "added: dev d016, d017 (committee papers); LGSF only lists the Aldermen as LND-alder",
    },
]


def build(source: Path) -> list[dict[str, str]]:
    """LGSF rows, platform names normalised, trailing slashes dropped, corrections applied."""
    rows = []
    with source.open(newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            platform = PLATFORMS.get(r["platform"], r["platform"].lower().replace(" ", "_"))
            base = r["base_url"].strip()
            if platform == "moderngov":
                base = base.rstrip("/")
            row = {
                "id": r["id"],
                "name": r["name"].strip(),
                "platform": platform,
                "base_url": base,
                "nation": r["nation"],
                "notes": "" if base else "no site known to LGSF",
            }
            if r["id"] in CORRECTIONS:
                row["platform"], row["base_url"], row["notes"] = CORRECTIONS[r["id"]]
            row["status"], reason = RETIRED.get(r["id"], ("active", ""))
            row["notes"] = "; ".join(n for n in (reason, row["notes"]) if n)
            row["attribution"] = ATTRIBUTION.get(r["id"], "")
            rows.append(row)
    rows.extend({**a, "status": "active", "attribution": ""} for a in ADDITIONS)
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)), "duplicate council ids"
    for r in rows:
        assert not r["base_url"] or urlsplit(r["base_url"]).scheme in {"http", "https"}, r
    return sorted(rows, key=lambda r: r["id"].lower())


def main(argv: list[str]) -> None:
    source = Path(argv[1] if len(argv) > 1 else HERE.parent.parent / "shared/fixtures/councils.csv")
    rows = build(source)
    with OUT.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {len(rows)} councils to {OUT}")


if __name__ == "__main__":
    main(sys.argv)
