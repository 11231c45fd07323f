"""The `papers` entry point: global options, one-line errors, no tracebacks."""

import subprocess
import sys

from click.testing import CliRunner

from papers.cli import cli


def test_help_lists_every_stage():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in ("extract", "crawl", "index", "search", "contracts", "update", "serve"):
        assert command in result.output


def test_unknown_command_is_a_usage_error():
    result = CliRunner().invoke(cli, ["frobnicate"])
    assert result.exit_code == 2
    assert "No such command" in result.output


def test_user_error_prints_one_line_without_traceback(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "papers.cli",
            "extract",
            str(tmp_path / "missing"),
            "-o",
            str(tmp_path / "o.jsonl"),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0 and "missing" in proc.stderr


def papers(*args: str, **popen) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "papers.cli", *args], stderr=subprocess.PIPE, text=True, **popen
    )


def test_a_full_disk_on_stdout_is_one_line_and_exit_1(tmp_path):
    from tests.fixtures.index.records import sample_records

    records = tmp_path / "r.jsonl"
    records.write_text("".join(r.to_json() + "\n" for r in sample_records()))
    data = ["--data-dir", str(tmp_path / "d")]
    assert CliRunner().invoke(cli, [*data, "index", str(records), "--no-progress"]).exit_code == 0
    for args in (["contracts", "--csv"], ["--help"]):
        with open("/dev/full", "w") as full:
            proc = papers(*data, *args, stdout=full)
            err = proc.stderr.read()
        assert proc.wait() == 1
        assert err == "error: cannot write output: No space left on device\n"


def test_a_closed_pipe_ends_quietly_with_exit_1():
    proc = papers("--help", stdout=subprocess.PIPE)
    proc.stdout.close()  # the reader is gone before the first byte is written, as with `| head -0`
    err = proc.stderr.read()
    assert proc.wait() == 1 and err == ""
