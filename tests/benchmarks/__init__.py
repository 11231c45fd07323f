"""Benchmarks for `make bench`: speed and memory targets live here, never in timed tests."""
