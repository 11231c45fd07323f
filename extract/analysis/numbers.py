"""Numbers as council papers write them: digits with separators, number words, magnitudes."""

from __future__ import annotations

import re

WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "half": 0.5,
}
# Number words that may stand for a count of periods ("a year" is left out: too vague alone).
NUMBER_WORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|seventeen|eighteen|nineteen|twenty(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?|"
    r"thirty|forty|fifty|sixty)"
)
NUMBER = r"(?:\d+(?:\.\d+)?|" + NUMBER_WORD + r")"

MAGNITUDES = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mn": 1e6,
    "million": 1e6,
    "bn": 1e9,
    "b": 1e9,
    "billion": 1e9,
}


def word_number(text: str) -> float | None:
    """'three' -> 3, 'twenty-four' -> 24, '2.5' -> 2.5; None when not a number."""
    text = text.strip().lower()
    try:
        return float(text)
    except ValueError:
        pass
    total = 0.0
    for part in re.split(r"[- ]+", text):
        if part not in WORDS:
            return None
        total += WORDS[part]
    return total


def parse_amount(digits: str, magnitude: str | None) -> float | None:
    """The value of a written amount: '1,339,984', '2,400.000' (a dot before exactly three digits
    is a thousands separator), '1,221,79.40' (digits as written), '10.3' + 'million'."""
    digits = digits.strip().rstrip(".,")
    if not digits:
        return None
    if not magnitude and re.fullmatch(r"\d{1,3}(?:,\d{3})*\.\d{3}", digits):
        digits = digits.replace(".", ",")
    try:
        value = float(digits.replace(",", ""))
    except ValueError:
        return None
    if magnitude:
        value *= MAGNITUDES[magnitude.lower().rstrip("s")]
    return round(value, 2)
