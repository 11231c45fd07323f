"""Decode undecoded bytes: declared charset, BOM, meta tag, UTF-8, then windows-1252.

Council pages are often served as windows-1252 with no header (a '£' is byte 0xA3); decoding
them as UTF-8 with replacement would silently turn every amount into '\ufffd400,000'.
"""

from __future__ import annotations

import codecs
import re

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def _known(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None


def charset_of(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header, if it names a known codec."""
    match = re.search(r"charset\s*=\s*([^;\s]+)", content_type or "", re.I)
    return _known(match.group(1)) if match else None


def decode(data: bytes, content_type: str | None = None) -> str:
    """Decode bytes to text; never raises (the last resort maps every byte)."""
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(name, errors="replace").lstrip("\ufeff")
    candidates = [charset_of(content_type)]
    meta = _META_CHARSET.search(data[:4096])
    candidates.append(_known(meta.group(1).decode("ascii", "ignore")) if meta else None)
    candidates += ["utf-8"]
    for name in candidates:
        if not name:
            continue
        # A page that claims latin-1 is nearly always windows-1252 (browsers treat them alike).
        if name in ("latin-1", "iso8859-1", "ascii"):
            name = "cp1252"
        try:
            return data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")
