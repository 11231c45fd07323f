"""Crawl health: say loudly when a council's crawl goes quiet or starts failing.

A silently broken scraper is the failure users of council-data tools complain about most: the
site was redesigned, every page now parses to nothing, and the nightly job reports success for
months. So each run compares every council's crawl with its own recent history.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

from papers.pipeline.runs import Runs, StageRow

# How many earlier successful runs a council's crawl is compared with.
HISTORY = 5
# A failure rate this much above the council's usual rate, and at least FAILURE_FLOOR, is a jump;
# the floor keeps one flaky page on a small council from crying wolf.
FAILURE_JUMP = 0.25
FAILURE_FLOOR = 0.2


@dataclass
class Flag:
    council: str
    flag: str  # "went_quiet" | "failed_entirely" | "failures_jumped"
    message: str

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def failure_rate(stage: StageRow) -> float:
    attempted = stage.items + stage.failed
    return stage.failed / attempted if attempted else 0.0


def assess(runs: Runs, run_id: int, crawl: list[StageRow]) -> list[Flag]:
    """Flags for this run's crawl stages, judged against each council's earlier runs."""
    flags: list[Flag] = []
    for now in crawl:
        history = runs.crawl_history(now.council, run_id, HISTORY)
        before = max((h.items for h in history), default=0)
        if now.items == 0 and before > 0:
            flags.append(
                Flag(
                    now.council,
                    "went_quiet",
                    f"{now.council} returned no items this run ({now.failed} failed) but {before} in an earlier "
                    "run: the site or its scraper may have changed",
                )
            )
        elif now.items == 0 and now.failed > 0:
            flags.append(
                Flag(now.council, "failed_entirely", f"{now.council}: all {now.failed} requests failed")
            )
        rates = [failure_rate(h) for h in history if h.items + h.failed]
        if rates and now.items > 0:
            usual, rate = median(rates), failure_rate(now)
            if rate >= FAILURE_FLOOR and rate - usual >= FAILURE_JUMP:
                flags.append(
                    Flag(
                        now.council,
                        "failures_jumped",
                        f"{now.council}: {rate:.0%} of requests failed this run, usually {usual:.0%}",
                    )
                )
    return flags
