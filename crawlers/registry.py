"""The council registry: one row per council in corpora/councils.csv, validated on load.

A council is a data row, never a folder of code: the spider for its platform reads the row.
Rebuild the file with corpora/make_registry.py.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from papers.errors import UserError

REGISTRY_PATH = Path(__file__).resolve().parent.parent / "corpora" / "councils.csv"
CRAWLABLE = {"moderngov"}  # platforms with a spider
STATUSES = {"active", "abolished", "disabled"}  # abolished and disabled councils are not crawled
GENERIC_WORDS = {"council", "borough", "city", "county", "district", "london", "metropolitan"}


@dataclass(frozen=True)
class Council:
    id: str
    name: str
    platform: str
    base_url: str
    nation: str = ""
    notes: str = ""
    status: str = "active"
    # On a democracy site shared with other councils: a pattern its committees, decision makers
    # or page titles match (crawlers/sites.py gives each page to the council it names).
    attribution: str = ""

    @property
    def crawlable(self) -> bool:
        return self.not_crawlable is None

    @property
    def not_crawlable(self) -> str | None:
        """Why this council is not crawled, or None when it is."""
        if self.status != "active":
            return f"council {self.id} is {self.status}: {self.notes}"
        if self.platform not in CRAWLABLE:
            return f"council {self.id} runs {self.platform!r}, which has no spider yet (ModernGov only)"
        if not self.base_url:
            return f"council {self.id} has no known site"
        return None


class RegistryError(UserError):
    """The registry file is malformed (a bad row is named with its line number)."""


def _validate(row: dict[str, str], line: int, path: Path) -> Council:
    where = f"{path}:{line}"
    if not row.get("id") or not row.get("name"):
        raise RegistryError(f"{where}: a council needs an id and a name")
    base = (row.get("base_url") or "").strip()
    if base and urlsplit(base).scheme not in {"http", "https"}:
        raise RegistryError(f"{where}: base_url {base!r} is not an http(s) URL")
    if row.get("platform") == "moderngov" and base.endswith("/"):
        raise RegistryError(f"{where}: a ModernGov base_url has no trailing slash ({base!r})")
    status = row.get("status") or "active"
    if status not in STATUSES:
        raise RegistryError(f"{where}: status {status!r} is not one of {sorted(STATUSES)}")
    if status != "active" and not row.get("notes"):
        raise RegistryError(f"{where}: a council that is {status} needs the reason in its notes")
    try:
        re.compile(row.get("attribution") or "")
    except re.error as exc:
        raise RegistryError(
            f"{where}: attribution {row.get('attribution')!r} is not a pattern: {exc}"
        ) from None
    return Council(
        id=row["id"],
        name=row["name"],
        platform=row.get("platform") or "unknown",
        base_url=base,
        nation=row.get("nation") or "",
        notes=row.get("notes") or "",
        status=status,
        attribution=row.get("attribution") or "",
    )


def load_registry(path: str | Path | None = None) -> list[Council]:
    """Every council in the registry, in file order; raises RegistryError on a bad row."""
    path = Path(path) if path else REGISTRY_PATH
    return list(_load(path))


@functools.lru_cache(maxsize=4)
def _load(path: Path) -> tuple[Council, ...]:
    with path.open(newline="", encoding="utf-8") as fh:
        councils = tuple(_validate(row, n, path) for n, row in enumerate(csv.DictReader(fh), start=2))
    seen: set[str] = set()
    for c in councils:
        if c.id.lower() in seen:
            raise RegistryError(f"{path}: duplicate council id {c.id!r}")
        seen.add(c.id.lower())
    return councils


@functools.lru_cache(maxsize=4)
def _by_id(path: Path) -> dict[str, Council]:
    return {c.id.lower(): c for c in _load(path)}


def find_council(council_id: str) -> Council | None:
    """The council with this id (case-insensitive), or None."""
    return _by_id(REGISTRY_PATH).get(council_id.lower())


def get_council(council_id: str) -> Council:
    """The council with this id (case-insensitive); UserError naming close matches otherwise."""
    if found := find_council(council_id):
        return found
    words = [w for w in council_id.lower().split() if len(w) > 3 and w not in GENERIC_WORDS] or [
        council_id.lower()
    ]
    close = [f"{c.id} ({c.name})" for c in load_registry() if any(w in c.name.lower() for w in words)][:5]
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    raise UserError(f"unknown council {council_id!r}{hint}")
