"""Crawl health: say loudly when a council's crawl goes quiet or starts failing.

A silently broken scraper is the failure users of council-data tools complain about most: the
site was redesigned, every page now parses to nothing, and the nightly job reports success for
months. So each run compares every council's crawl with its own recent history.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from statistics import median

from papers.pipeline.runs import Runs, StageRow

# How many earlier successful runs a council's crawl is compared with.
HISTORY = 5
# "Went quiet" needs this many consecutive earlier runs with items: incremental runs re-visit a
# look-back window, so an active council yields pages every night, but the run after a first
# back-fill (or a frozen test snapshot) may legitimately find nothing in its window.
QUIET_AFTER = 2
# A failure rate this much above the council's usual rate, and at least FAILURE_FLOOR, is a jump;
# the floor keeps one flaky page on a small council from crying wolf.
FAILURE_JUMP = 0.25
FAILURE_FLOOR = 0.2
# ... and at least this many failed requests: one dead link on a quiet night is not a trend.
FAILURE_MIN = 3


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


def assess(
    runs: Runs, run_id: int, crawl: list[StageRow], failed_councils: Collection[str] = ()
) -> list[Flag]:
    """Flags for this run's crawl stages, judged against each council's earlier runs.

    ``failed_councils`` are those the crawler heard nothing from at all (its own judgement).
    """
    flags: list[Flag] = []
    for now in crawl:
        history = runs.crawl_history(now.council, run_id, HISTORY)
        recent = history[:QUIET_AFTER]
        before = min((h.items for h in recent), default=0)
        if now.items == 0 and len(recent) == QUIET_AFTER and before > 0:
            flags.append(
                Flag(
                    now.council,
                    "went_quiet",
                    f"{now.council} returned no items this run ({now.failed} failed) after at least {before} in "
                    f"each of its last {QUIET_AFTER} runs: the site or its scraper may have changed",
                )
            )
        elif now.council in failed_councils:
            flags.append(
                Flag(now.council, "failed_entirely", f"{now.council}: the site answered none of our requests")
            )
        rates = [failure_rate(h) for h in history if h.items + h.failed]
        if rates and now.items > 0 and now.failed >= FAILURE_MIN:
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
