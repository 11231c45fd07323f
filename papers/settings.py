"""Where data lives and how the pipeline is configured: one place for every setting."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

DEFAULT_DATA_DIR = "./data"
# Named in every request so a council's web team can see who is crawling and how to reach us.
DEFAULT_CONTACT_URL = "https://github.com/committee-papers/committee-papers"
DEFAULT_RETENTION_DAYS = 365


@dataclass
class Settings:
    """Resolved configuration: flags beat environment variables beat defaults."""

    data_dir: Path = field(default_factory=lambda: Path(os.environ.get("PAPERS_DATA", DEFAULT_DATA_DIR)))
    elasticsearch_url: str | None = field(default_factory=lambda: os.environ.get("ELASTICSEARCH_URL") or None)
    contact_url: str = field(
        default_factory=lambda: os.environ.get("PAPERS_CONTACT_URL", DEFAULT_CONTACT_URL)
    )
    # Days of run history and crawl failures kept (papers/pipeline/retention.py).
    retention_days: int = field(
        default_factory=lambda: int(os.environ.get("PAPERS_RETENTION_DAYS") or DEFAULT_RETENTION_DAYS)
    )

    @property
    def db_path(self) -> Path:
        """The SQLite store of record."""
        return self.data_dir / "papers.sqlite3"

    @property
    def index_dir(self) -> Path:
        """The embedded tantivy index: a cache of the store, rebuildable at any time."""
        return self.data_dir / "index"

    @property
    def files_dir(self) -> Path:
        """Downloaded attachments (PDFs), addressed by sha256."""
        return self.data_dir / "files"

    @property
    def feeds_dir(self) -> Path:
        """Atom feeds written for saved searches."""
        return self.data_dir / "feeds"

    def ensure(self) -> Settings:
        """Create the data directory if needed and return self."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self
