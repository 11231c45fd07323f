"""Kill a crawl mid-run: a child process crawls the snapshot and is SIGKILLed once it has stored
some documents (tests/test_crawl.py, tests/test_crawl_cmis.py)."""

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

KILLER = """
import json, sys
from pathlib import Path
from crawlers.run import crawl
from crawlers.snapshot import SnapshotServer
from papers.settings import Settings
spec = json.loads(sys.argv[2])
server = SnapshotServer().start()
server.inject("slow", match=spec["slow"], seconds=spec["seconds"])
crawl(Settings(data_dir=Path(sys.argv[1])), councils=spec["councils"], snapshot=server)
"""


def kill_mid_crawl(
    data_dir: Path, councils: list[str] | None, slow: str, seconds: float, at_least: int
) -> None:
    """Crawl `councils` (None: the whole snapshot) with requests matching `slow` delayed by
    `seconds`, and SIGKILL the run as soon as `at_least` documents are in the store."""
    spec = json.dumps({"councils": councils, "slow": slow, "seconds": seconds})
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLER, str(data_dir), spec], cwd=Path(__file__).parent.parent
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with sqlite3.connect(data_dir / "papers.sqlite3") as c:
                if c.execute("SELECT count(*) FROM documents").fetchone()[0] >= at_least:
                    break
        except sqlite3.OperationalError:
            pass
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    time.sleep(1.5)  # the orphaned worker notices its parent is gone and exits
