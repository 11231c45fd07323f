"""The scale benchmark's own logic (tests/benchmarks/scale.py): sizes from the command line, and a
table whose every figure stands beside its ratio to the 100k run."""

import pytest

from tests.benchmarks.scale import main, parse_sizes, table


def test_sizes_take_plain_numbers_underscores_and_k_m_suffixes():
    assert parse_sizes("10000,100_000, 1m") == [10_000, 100_000, 1_000_000]
    assert parse_sizes("10k,") == [10_000]
    for bad in ("", "ten", "0", "1.5m", "-5"):
        with pytest.raises(ValueError):
            parse_sizes(bad)


def test_a_bad_size_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--sizes", "lots"])
    assert exc.value.code == 2 and "not a size: 'lots'" in capsys.readouterr().err


def test_every_figure_stands_beside_its_ratio_to_the_100k_run():
    base = {"records": 100_000, "load_records_per_s": 3000.0, "search_p50_ms": {"phrase": 4.0}}
    base["search_p95_ms"] = {"phrase": 10.0}
    big = {"records": 1_000_000, "load_records_per_s": 1500.0, "search_p50_ms": {"phrase": 8.0}}
    big["search_p95_ms"] = {"phrase": 25.0}
    lines = table([base, big]).splitlines()
    load = next(line for line in lines if line.startswith("stored+indexed records/s"))
    assert "3,000 (1.00x)" in load and "1,500 (0.50x)" in load
    phrase = next(line for line in lines if line.startswith("search phrase p50/p95 ms"))
    assert "8.0 / 25.0 (2.50x)" in phrase  # the ratio is the p95's
    missing = next(line for line in lines if line.startswith("papers check s"))
    assert missing.split()[-2:] == ["-", "-"]
    assert "no 100,000 run" in table([big])
