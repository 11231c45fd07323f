"""Crawl health: say loudly when a council's crawl goes quiet or starts failing.

A silently broken scraper is the failure users of council-data tools complain about most: the
site was redesigned, every page now parses to nothing, and the nightly job reports success for
months. So each run compares every council's crawl with its own recent history.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from statistics import median

from papers.pipeline.runs import Runs, StageRow

# How many earlier successful runs a council's crawl is compared with.
HISTORY = 5
# "Went quiet" needs this many consecutive earlier runs in which the council's site was heard from.
# It is judged on answers, not items: an incremental run over an unchanged site finds nothing new
# (its listings answer 304), while a site that answers nothing at all has changed or gone.
QUIET_AFTER = 1
# A failure rate (failed requests over requests made) this much above the council's usual rate,
# and at least FAILURE_FLOOR, is a jump; the floor keeps one flaky page on a small council from
# crying wolf.
FAILURE_JUMP = 0.25
FAILURE_FLOOR = 0.2
# ... and at least this many failed requests: one dead link on a quiet night is not a trend.
FAILURE_MIN = 3


@dataclass
class Flag:
    council: str
    # "went_quiet" | "failed_entirely" | "failures_jumped", or a flag the crawler raised itself
    # (crawlers/summary.py: "web_service_not_xml", "error_page", "listings_empty", ...)
    flag: str
    message: str

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def requests_made(stage: StageRow) -> int:
    """Requests answered plus failed (rows from before answers were counted: items plus failed)."""
    answered = stage.items if stage.answered is None else stage.answered
    return answered + stage.failed


def failure_rate(stage: StageRow) -> float:
    made = requests_made(stage)
    return stage.failed / made if made else 0.0


def assess(
    runs: Runs,
    run_id: int,
    crawl: list[StageRow],
    failed_councils: Mapping[str, str | None] | None = None,
    crawler_flags: Mapping[str, list[dict]] | None = None,
) -> list[Flag]:
    """Flags for this run's crawl stages, judged against each council's earlier runs.

    ``failed_councils`` are those the crawler judged failed entirely, with its reason when it
    gave one (a site that stopped answering mid-run had answered earlier requests).
    ``crawler_flags`` are the faults the crawler named per council (its summary's "flags"): a site
    that answered with the wrong thing fails no request, and only the crawler can tell.
    """
    failed_councils = failed_councils or {}
    flags: list[Flag] = [
        Flag(council, f["flag"], f["message"])
        for council, raised in sorted((crawler_flags or {}).items())
        for f in raised
    ]
    for now in crawl:
        history = runs.crawl_history(now.council, run_id, HISTORY)
        recent = history[:QUIET_AFTER]
        if not now.heard_from and len(recent) == QUIET_AFTER and all(h.heard_from for h in recent):
            flags.append(
                Flag(
                    now.council,
                    "went_quiet",
                    f"{now.council} answered none of our requests and yielded no page this run "
                    f"({now.failed} failed), after answering in its last {QUIET_AFTER} run(s): "
                    "the site or its scraper may have changed",
                )
            )
        elif now.council in failed_councils:
            flags.append(
                Flag(
                    now.council,
                    "failed_entirely",
                    f"{now.council}: {failed_councils[now.council] or 'the site answered none of our requests'}",
                )
            )
        rates = [failure_rate(h) for h in history if requests_made(h)]
        if rates and now.heard_from and now.failed >= FAILURE_MIN:
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
