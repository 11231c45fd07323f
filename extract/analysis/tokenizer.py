"""Tokenizer tweaks so amounts and dates fall on token boundaries (research §4.2).

Spans are found on characters and aligned to tokens; without these splits "£2.5bn",
"Impact>£500K" and "01April" are single tokens and their spans would swallow neighbours.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.util import compile_infix_regex, compile_suffix_regex

_MONTHS = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*"
SUFFIXES = [r"(?<=[0-9])(?:bn|BN|m|M|k|K|pw|pa|p\.a\.)$", r"(?<=[0-9])(?:st|nd|rd|th)$"]
INFIXES = [
    r"(?<=[0-9])(?=" + _MONTHS + ")",  # 01April -> 01 | April
    r"(?<=[A-Za-z>.~(])(?=£)",  # Impact>£500K, c.£2m
    r"(?<=[0-9kKmM])[-–](?=£|[0-9])",  # £100k-£150k, 3-6
    r"(?<=[0-9])(?=(?:bn|m|k|K)[-–])",  # 100k-...
    r"(?<=GBP)(?=[0-9])",  # GBP4.5m
    r"(?<=£)(?=[0-9])",  # £ glued to digits after an infix split
    r"(?<=[0-9]{4})/(?=[0-9]{2}\b)",  # 2018/19 -> 2018 / 19 (not one number-like token)
    r"(?<=[0-9])\+(?=[0-9])",  # 3+1+1
    r"(?<=[a-z])(?=[0-9]{1,2}[./][0-9])",  # glued "on12/06/2023"
]


def tune(nlp: Language) -> None:
    nlp.tokenizer.suffix_search = compile_suffix_regex(list(nlp.Defaults.suffixes) + SUFFIXES).search
    nlp.tokenizer.infix_finditer = compile_infix_regex(list(nlp.Defaults.infixes) + INFIXES).finditer
