"""The whole pipeline at growing sizes: how load rate, memory, disk and latency grow on the way to
a national install (`make bench-scale`; `make bench-scale SIZES=10000,100000` for chosen sizes).

    python -m tests.benchmarks.scale --sizes 10000,100000,1000000 [--json build/bench-scale.json]

Not a `bench_*` module: `make bench` stays a few minutes, this one takes many. Per size, in a
fresh data directory: synthetic records over every registry council (tests/benchmarks/synthetic.py)
are written to a JSONL file (not timed), then loaded by `papers index RECORDS.jsonl`, which stores
and indexes them in one pass, in a child process whose private memory (bench_index.rss_mb's
measure) the parent samples; then searches with facets, the grouped contracts table, `papers
check`, `papers reextract --all` and `papers index --rebuild` (every stored record indexed again,
from the store), each the real command. Re-extraction runs spaCy per document, so it is measured
on a sample: REEXTRACT_SAMPLE of the records get a stored page (so `reextract --all` finds a
document to extract them from) and the rate is that sample's records/s, at every size, inside the
full-size store and index. Every run prints one table, each figure beside its ratio to the 100k
run, and writes build/bench-scale.json (one object per size).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from crawlers.registry import load_registry
from index import service
from index.store import Store
from papers.schema import Document
from papers.settings import Settings
from tests.benchmarks.bench_index import folder_mb, timed
from tests.benchmarks.synthetic import synthetic_records

ROOT = Path(__file__).resolve().parents[2]
SIZES = (10_000, 100_000, 1_000_000)
BASELINE = 100_000  # ratios are to this size's run
REEXTRACT_SAMPLE = 300
RUNS = 20
QUERIES = {  # the filtered kind uses a registry council; every kind is timed with its facet counts
    "common word": "contract",
    "three words": "contract award framework",
    "phrase": '"recommendations approved"',
    "filtered": "contract council:KEN year>=2018 value>=1m",
}
CONTRACT_QUERIES = {"all": None, "maintenance": "maintenance"}


def private_mb(pid: int) -> float:
    """A process's private resident memory (resident minus file-backed, as bench_index.rss_mb)."""
    with open(f"/proc/{pid}/statm") as fh:
        fields = fh.read().split()
    return (int(fields[1]) - int(fields[2])) * os.sysconf("SC_PAGE_SIZE") / 2**20


def run_sampled(args: list[str], env: dict | None = None) -> dict:
    """Run a command, sampling its private memory every 0.2 s: seconds, peak and steady MB.

    Steady is the median over the second half of the run: what the process settles at, where
    the peak may be one merge or one batch.
    """
    samples: list[float] = []
    started = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            try:
                samples.append(private_mb(proc.pid))
            except (FileNotFoundError, ProcessLookupError):
                return

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    done.set()
    sampler.join()
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1):  # check exits 1 on findings; anything else is a failure
        raise RuntimeError(f"{' '.join(args)} exited {proc.returncode}: {err.strip()[-2000:]}")
    tail = samples[len(samples) // 2 :] or [0.0]
    return {
        "seconds": seconds,
        "peak_mb": max(samples, default=0.0),
        "steady_mb": statistics.median(tail),
        "exit": proc.returncode,
    }


def papers(data: Path, *args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("papers")), "--data-dir", str(data), "-q", *args]


def add_sample_documents(store: Store, n: int) -> int:
    """Give ``n`` stored records a crawled page of their own text, for `reextract --all` to redo."""
    ids = [
        row[0] for row in store.conn.execute("SELECT id FROM records ORDER BY key LIMIT ?", (n,)).fetchall()
    ]
    for rid in ids:
        rec = store.get_record(rid)
        paragraphs = "".join(f"<p>{p}</p>" for p in rec.text.split(". "))
        store.put_document(
            Document(
                id=rec.id,
                council=rec.council,
                platform="moderngov",
                page_type=rec.page_type,
                url=rec.url,
                title=rec.title,
                committee=rec.committee,
                decision_maker=rec.decision_maker,
                date=rec.decision_date,
                body=f"<html><body><h1>{rec.title}</h1>{paragraphs}</body></html>",
            )
        )
    return len(ids)


def measure(size: int, root: Path) -> dict:
    """Every figure for one size, in a fresh data directory under ``root`` (removed afterwards)."""
    data = root / f"scale-{size}"
    shutil.rmtree(data, ignore_errors=True)
    settings = Settings(data_dir=data).ensure()
    councils = tuple(c.id for c in load_registry())
    out: dict = {"records": size}
    try:
        # The records a national back-fill would load, written out beforehand: making them is not
        # the pipeline's cost, reading and parsing them is.
        source = root / f"scale-{size}.jsonl"
        with source.open("w", encoding="utf-8") as fh:
            for record in synthetic_records(size, councils=councils):
                fh.write(record.to_json() + "\n")
            fh.flush()
            os.fsync(fh.fileno())  # written out now, not by the kernel during the timed load
        out["records_file_mb"] = source.stat().st_size / 2**20
        # Stored and indexed in one pass, as a back-fill loads them (index/service.index_records).
        load = run_sampled(papers(data, "index", "--no-progress", str(source)))
        source.unlink()
        out.update(
            load_records_per_s=size / load["seconds"],
            index_peak_private_mb=load["peak_mb"],
            index_steady_private_mb=load["steady_mb"],
            store_mb=folder_mb(data) - folder_mb(settings.index_dir),
            index_mb=folder_mb(settings.index_dir),
        )
        # The load leaves gigabytes for the kernel to write back: searches are timed once it has,
        # as a server answers them, not during the writeback of the load before.
        os.sync()
        search_p50, search_p95, hits = {}, {}, {}
        engine = service.backend_for(settings)
        for kind, q in QUERIES.items():
            hits[kind] = service.search(settings, q, limit=0, facets=False)["total"]
            # Facets with each search, counted afresh (the cache emptied): a new query's full cost.
            p50, p95 = timed(lambda q=q: (engine.facet_cache.clear(), service.search(settings, q)), RUNS)
            search_p50[kind], search_p95[kind] = p50, p95
        out.update(search_hits=hits, search_p50_ms=search_p50, search_p95_ms=search_p95)
        contracts = {
            name: timed(lambda q=q: service.contracts(settings, q, limit=50), 10)[1]
            for name, q in CONTRACT_QUERIES.items()
        }
        out.update(contracts_p95_ms=max(contracts.values()), contracts_p95_ms_by_query=contracts)
        service._backends.clear()  # the commands below write the index: release this process's reader
        with Store(settings.db_path) as store:
            sample = add_sample_documents(store, REEXTRACT_SAMPLE)
        out["check_s"] = run_sampled(papers(data, "check"))["seconds"]
        reextract = run_sampled(papers(data, "reextract", "--all"))
        out.update(reextract_sample=sample, reextract_records_per_s=sample / reextract["seconds"])
        rebuild = run_sampled(papers(data, "index", "--rebuild", "--no-progress"))
        out.update(
            rebuild_s=rebuild["seconds"],
            rebuild_records_per_s=size / rebuild["seconds"],
            rebuild_peak_private_mb=rebuild["peak_mb"],
            rebuild_steady_private_mb=rebuild["steady_mb"],
        )
    finally:
        service._backends.clear()
        shutil.rmtree(data, ignore_errors=True)
        (root / f"scale-{size}.jsonl").unlink(missing_ok=True)
    return out


ROWS = (  # label, key (a dotted path into a size's object), format
    ("stored+indexed records/s", "load_records_per_s", "{:,.0f}"),
    ("  loader peak private MB", "index_peak_private_mb", "{:,.0f}"),
    ("  loader steady private MB", "index_steady_private_mb", "{:,.0f}"),
    ("indexed from store records/s", "rebuild_records_per_s", "{:,.0f}"),
    ("  indexer peak private MB", "rebuild_peak_private_mb", "{:,.0f}"),
    ("  indexer steady private MB", "rebuild_steady_private_mb", "{:,.0f}"),
    ("store on disk MB", "store_mb", "{:,.0f}"),
    ("index on disk MB", "index_mb", "{:,.0f}"),
    *((f"search {kind} hits", f"search_hits.{kind}", "{:,}") for kind in QUERIES),
    *(
        (f"search {kind} p50/p95 ms", f"search_p50_ms.{kind}|search_p95_ms.{kind}", "{:,.1f}")
        for kind in QUERIES
    ),
    *(
        (f"contracts '{name}' grouped p95 ms", f"contracts_p95_ms_by_query.{name}", "{:,.0f}")
        for name in CONTRACT_QUERIES
    ),
    ("papers check s", "check_s", "{:,.1f}"),
    ("reextract --all records/s (sample)", "reextract_records_per_s", "{:,.1f}"),
    ("index --rebuild s", "rebuild_s", "{:,.1f}"),
)


def _get(result: dict, path: str) -> float | None:
    value = result
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def cell(result: dict, base: dict | None, key: str, fmt: str) -> str:
    """``figure (ratio×)`` — or ``p50 / p95 (ratio of p95×)`` for a pair of keys."""
    keys = key.split("|")
    values = [_get(result, k) for k in keys]
    if any(v is None for v in values):
        return "-"
    text = " / ".join(fmt.format(v) for v in values)
    ref = _get(base, keys[-1]) if base else None
    if ref:
        text += f" ({values[-1] / ref:.2f}x)"
    return text


def table(results: list[dict]) -> str:
    """One row per figure, one column per size; ratios are to the 100k run when it is there."""
    base = next((r for r in results if r["records"] == BASELINE), None)
    width = max(len(label) for label, _, _ in ROWS) + 2
    heads = [f"{r['records']:,} records" for r in results]
    cols = [max(24, len(h) + 2) for h in heads]
    lines = ["".ljust(width) + "".join(h.rjust(c) for h, c in zip(heads, cols, strict=True))]
    for label, key, fmt in ROWS:
        cells = [cell(r, base, key, fmt) for r in results]
        lines.append(label.ljust(width) + "".join(x.rjust(c) for x, c in zip(cells, cols, strict=True)))
    note = f"ratios (x) are to the {BASELINE:,} run" if base else f"no {BASELINE:,} run: no ratios"
    lines.append(
        f"{note}; reextract is measured on {REEXTRACT_SAMPLE} records given a stored page inside the "
        "full-size store and index, and reported as records/s"
    )
    return "\n".join(lines)


def parse_sizes(text: str) -> list[int]:
    """``"10000,100000"`` (underscores and k/m suffixes allowed) -> [10000, 100000]."""
    sizes = []
    for part in filter(None, (p.strip().lower().replace("_", "") for p in text.split(","))):
        scale = {"k": 1_000, "m": 1_000_000}.get(part[-1], 1)
        number = part[:-1] if scale > 1 else part
        if not number.isdigit() or int(number) * scale < 1:
            raise ValueError(f"not a size: {part!r} (e.g. 10000,100k,1m)")
        sizes.append(int(number) * scale)
    if not sizes:
        raise ValueError("no sizes given")
    return sizes


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)), help="comma-separated record counts")
    ap.add_argument("--json", default=str(ROOT / "build" / "bench-scale.json"), help="where to write figures")
    ap.add_argument("--work", default=str(ROOT / "build"), help="where the data directories go")
    args = ap.parse_args(argv)
    try:
        sizes = parse_sizes(args.sizes)
    except ValueError as exc:
        ap.error(str(exc))
    results = []
    for size in sizes:
        started = time.perf_counter()
        print(f"-- {size:,} records ...", flush=True)
        results.append(measure(size, Path(args.work)))
        print(f"   done in {time.perf_counter() - started:.0f} s", flush=True)
    print(f"\nload average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (figures are wall time)")
    print(table(results))
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
