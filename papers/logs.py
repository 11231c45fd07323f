"""One logging format for every stage; JSON lines for schedulers that parse logs."""

from __future__ import annotations

import json
import logging
import sys
import time

FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


class JsonLines(logging.Formatter):
    """One JSON object per log line: time, level, logger, message (and exception text)."""

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + "Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("council", "stage", "url", "run_id"):
            if hasattr(record, key):
                out[key] = getattr(record, key)
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out)


def setup(verbosity: int = 0, json_lines: bool = False) -> None:
    """Configure the root logger: -q warnings only, default info, -v debug."""
    level = logging.WARNING if verbosity < 0 else logging.INFO if verbosity == 0 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines() if json_lines else logging.Formatter(FORMAT, "%H:%M:%S"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Third-party chatter drowns the pipeline's own messages at INFO.
    for noisy in ("scrapy", "pdfminer", "elastic_transport", "urllib3", "twisted", "filelock"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
