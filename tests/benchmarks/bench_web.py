"""Web pages under load: p50/p95 for the search and decision pages at 100,000 records.

A bounded local load test: 20 concurrent clients (threads with keep-alive connections) against
`uvicorn` serving the app on 127.0.0.1 in a child process. Each client stops by itself after a
fixed number of requests or a time limit, whichever comes first. Search URLs mix one common word,
three words, a phrase, filters, facet clicks and deeper pages, once as repeated queries and once
each a query never seen (no cached counts); decision URLs are random records.

The 100k dataset is built once (tests/benchmarks/synthetic.py, through index.service) into
build/bench-web/ and reused by later runs. Target (issue 9): p95 <= 100 ms, no errors.
"""

from __future__ import annotations

import http.client
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlencode

from papers.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
RECORDS = int(os.environ.get("BENCH_WEB_RECORDS", "100000"))
DATA = ROOT / "build" / "bench-web" / f"{RECORDS}"
CLIENTS = 20
REQUESTS_PER_CLIENT = 100  # per page kind
TIME_LIMIT = 60.0  # seconds per page kind, whatever is left unsent is counted as not sent
WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", "2"))
TARGET_P95_MS = 100.0
SEARCHES = [
    "council",
    "contract award framework",
    '"block contract"',
    "route:framework fostering",
    "care after:2019-01-01",
    "value>=1m",
    "waste year:2020",
    "services term>=36",
    "extension -waste",
    "fostering OR adoption",
]


def build_dataset() -> Settings:
    """The cached 100k store and index (built on the first run only)."""
    settings = Settings(data_dir=DATA)
    done = DATA / ".complete"
    if done.exists():
        return settings
    from index import service
    from tests.benchmarks import synthetic

    print(f"building {RECORDS:,} synthetic records into {DATA} (once)...", flush=True)
    started = time.perf_counter()
    service.index_records(settings.ensure(), synthetic.synthetic_records(RECORDS), progress=False)
    done.write_text(f"{RECORDS}\n")
    print(f"built in {time.perf_counter() - started:.0f} s", flush=True)
    return settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(settings: Settings, port: int) -> subprocess.Popen:
    env = dict(os.environ, PAPERS_DATA=str(settings.data_dir))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "papers.web.app:app_from_env",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(WORKERS),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", "/api/search?q=council&limit=1")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the server did not come up")


def search_urls(n: int, rnd: random.Random, distinct: bool = False) -> list[str]:
    """Searches from SEARCHES; ``distinct`` makes every one a query the server has not seen.

    The index caches each query's counts (index/backends/tantivy_backend.py), so repeats measure
    a researcher paging or refining; distinct ones exclude a word no record holds, which matches
    the same records at the same cost but misses the cache every time.
    """
    urls = []
    for i in range(n):
        q = rnd.choice(SEARCHES) + (f" -zzq{i}x" if distinct else "")
        params = {"q": q}
        if rnd.random() < 0.3:
            params["page"] = rnd.randint(2, 10)
        urls.append("/?" + urlencode(params))
    return urls


def decision_urls(settings: Settings, n: int, rnd: random.Random) -> list[str]:
    conn = sqlite3.connect(f"file:{settings.db_path}?mode=ro", uri=True)
    total = conn.execute("SELECT max(rowid) FROM records").fetchone()[0]
    ids = []
    while len(ids) < n:
        row = conn.execute("SELECT id FROM records WHERE rowid = ?", (rnd.randint(1, total),)).fetchone()
        if row:
            ids.append(row[0])
    conn.close()
    return ["/records/" + quote(i, safe=":/") for i in ids]


def load(port: int, urls: list[str]) -> dict:
    """CLIENTS threads share the URL list; each stops at its quota or the time limit."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + TIME_LIMIT
    chunks = [urls[i::CLIENTS] for i in range(CLIENTS)]

    def client(mine: list[str]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for url in mine:
            if time.monotonic() > deadline:
                return
            started = time.perf_counter()
            try:
                conn.request("GET", url)
                resp = conn.getresponse()
                resp.read()
                status = resp.status
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status = repr(exc)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                if status != 200:
                    errors.append(f"{status} {url}")
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(c,)) for c in chunks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    latencies.sort()
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return {
        "sent": len(latencies),
        "planned": len(urls),
        "errors": errors,
        "p50": q[49],
        "p95": q[94],
        "max": latencies[-1],
        "rps": len(latencies) / wall,
    }


def main() -> None:
    settings = build_dataset()
    rnd = random.Random(9)
    port = free_port()
    server = start_server(settings, port)
    try:
        n = CLIENTS * REQUESTS_PER_CLIENT
        kinds = {
            "search page": search_urls(n, rnd),
            "search, new q": search_urls(n, rnd, distinct=True),
            "decision page": decision_urls(settings, n, rnd),
        }
        load(port, kinds["search page"][: CLIENTS * 5] + kinds["decision page"][: CLIENTS * 5])  # warm up
        results = {kind: load(port, urls) for kind, urls in kinds.items()}
    finally:
        server.terminate()
        server.wait(30)
    print(
        f"\nweb pages at {RECORDS:,} records, {CLIENTS} concurrent clients, uvicorn {WORKERS} worker(s), "
        f"127.0.0.1 (target p95 <= {TARGET_P95_MS:.0f} ms, no errors)"
    )
    print(
        f"{'page':<14} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'req/s':>7}  target"
    )
    for kind, r in results.items():
        ok = r["p95"] <= TARGET_P95_MS and not r["errors"] and r["sent"] == r["planned"]
        print(
            f"{kind:<14} {r['sent']:>9,} {len(r['errors']):>7} {r['p50']:>8.1f} {r['p95']:>8.1f} "
            f"{r['max']:>8.1f} {r['rps']:>7.0f}  {'met' if ok else 'MISSED'}"
        )
        for err in r["errors"][:5]:
            print(f"    error: {err}")


if __name__ == "__main__":
    main()
