"""The nightly update and what keeps it safe: one module per concern.

job.py runs crawl -> extract -> store -> index as one crash-safe job; lock.py keeps it to one run
per data directory; runs.py records every run; health.py flags councils whose crawl went quiet or
started failing; watches.py turns saved searches into alerts and Atom feeds; check.py verifies
that the store and the index agree.
"""
