"""`papers extract PATH... -o OUT.jsonl`: folders, URL headers, bad paths, broken files."""

import json

from click.testing import CliRunner

from papers.cli import cli

DECISION = (
    "URL: https://democracy.example.gov.uk/ieDecisionDetails.aspx?ID=1\n\nDecision details\n\n"
    "Decision Maker: Cabinet\n\nDecision:\n\nRESOLVED: That the contract be awarded for 3 years at "
    "£1.8m per year.\n\nDate of decision: 19/11/2019\n"
)


def run(*args):
    return CliRunner().invoke(cli, ["extract", *args])


def read(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_folder_recursive_sorted_with_url_header(tmp_path):
    (tmp_path / "docs" / "sub").mkdir(parents=True)
    (tmp_path / "docs" / "b.txt").write_text(DECISION, encoding="utf-8")
    (tmp_path / "docs" / "sub" / "a.html").write_text(
        "<html><body><p>Noted.</p></body></html>", encoding="utf-8"
    )
    (tmp_path / "docs" / "ignored.csv").write_text("x", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = run(str(tmp_path / "docs"), "-o", str(out))
    assert result.exit_code == 0, result.output
    records = read(out)
    assert [r["source"] for r in records] == [
        str(tmp_path / "docs" / "b.txt"),
        str(tmp_path / "docs" / "sub" / "a.html"),
    ]
    first = records[0]
    assert first["url"] == "https://democracy.example.gov.uk/ieDecisionDetails.aspx?ID=1"
    assert first["text"].startswith("Decision details")  # the two header lines are not text
    assert first["page_type"] == "decision_details" and first["decision_date"] == "2019-11-19"
    assert first["money"][0]["amount"] == 1_800_000 and first["money"][0]["per"] == "year"
    assert first["durations"][0]["months"] == 36


def test_missing_path_is_a_usage_error(tmp_path):
    result = run(str(tmp_path / "nope"), "-o", str(tmp_path / "out.jsonl"))
    assert result.exit_code == 2
    assert "no such file or folder" in result.output and "Traceback" not in result.output


def test_broken_pdf_gives_a_status_record_and_exit_1(tmp_path):
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.4\n1 0 obj <<")
    (tmp_path / "ok.txt").write_text(DECISION, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = run(str(tmp_path / "bad.pdf"), str(tmp_path / "ok.txt"), "-o", str(out))
    assert result.exit_code == 1
    statuses = {r["source"].rsplit("/", 1)[-1]: r["status"] for r in read(out)}
    assert statuses["bad.pdf"] == "corrupt" and statuses["ok.txt"] == "ok"


def test_stdout_and_no_text(tmp_path):
    (tmp_path / "a.txt").write_text(DECISION, encoding="utf-8")
    result = CliRunner().invoke(cli, ["extract", str(tmp_path / "a.txt"), "--no-text"])
    assert result.exit_code == 0
    record = json.loads(result.stdout.splitlines()[0])
    assert record["text"] == "" and record["decision_maker"] == "Cabinet"


def test_unwritable_output_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "a.txt").write_text(DECISION, encoding="utf-8")
    for target in (tmp_path / "missing" / "out.jsonl", tmp_path / "a.txt" / "out.jsonl"):
        result = run(str(tmp_path / "a.txt"), "-o", str(target))
        assert result.exit_code == 2, result.output
        assert result.output.startswith(f"error: cannot write {target}: ") and result.output.count("\n") == 1


def test_a_broken_link_in_a_folder_is_a_failed_record_not_a_silent_gap(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_text(DECISION, encoding="utf-8")
    (tmp_path / "docs" / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    out = tmp_path / "out.jsonl"
    result = run(str(tmp_path / "docs"), "-o", str(out))
    assert result.exit_code == 1, result.output
    statuses = {r["source"].rsplit("/", 1)[-1]: r["status"] for r in read(out)}
    assert statuses == {"a.txt": "ok", "gone.txt": "error"}
