"""`papers index / search / contracts / export` as a user runs them (click's CliRunner)."""

import csv
import io
import json

import pytest
from click.testing import CliRunner

from papers.cli import cli
from tests.fixtures.index.records import sample_records
from tests.test_export import ocds_validator


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    jsonl = root / "records" / "sample.jsonl"
    jsonl.parent.mkdir()
    jsonl.write_text("".join(r.to_json() + "\n" for r in sample_records()))
    return root


def run(data, *args):
    return CliRunner().invoke(cli, ["--data-dir", str(data / "store"), *args])


@pytest.fixture(scope="module")
def indexed(data):
    result = run(data, "index", str(data / "records"), "--no-progress")
    assert result.exit_code == 0, result.output
    return data


def test_index_twice_changes_no_count(indexed):
    result = run(indexed, "index", str(indexed / "records" / "sample.jsonl"))
    assert result.exit_code == 0
    assert "stored: 0 new, 0 changed, 7 unchanged" in result.output
    assert "indexed 0 records into tantivy" in result.output and "the index holds 7" in result.output
    again = run(indexed, "index")
    assert again.exit_code == 0 and "the index holds 7" in again.output


def test_search_json_is_one_object(indexed):
    result = run(indexed, "search", "route:framework after:2019-01-01 fostering", "--json")
    assert result.exit_code == 0
    out = json.loads(result.stdout)
    assert set(out) == {"total", "hits", "facets"} and out["total"] == 1
    assert out["hits"][0]["id"] == "bromley:decision_details:1" and "<b>" in out["hits"][0]["snippet"]
    assert set(out["facets"]) == {"council", "type", "route", "year", "category", "supplier"}
    assert out["facets"]["category"] == {"85311300-5 Welfare services for children and young people": 1}
    assert out["facets"]["supplier"] == {"acme and co": 1}


def test_search_text_and_csv(indexed):
    text = run(indexed, "search", "fostering", "--limit", "2")
    assert text.exit_code == 0
    assert text.stdout.startswith("4 hits, showing 1-2")
    assert "<Acme & Co>" in text.stdout  # unescaped for the terminal
    assert "council: camden 2, bromley 1, leeds 1" in text.stdout
    rows = list(csv.DictReader(io.StringIO(run(indexed, "search", "fostering", "--csv").stdout)))
    assert len(rows) == 4 and rows[0]["rank"] == "1" and "<b>" not in rows[0]["snippet"]


@pytest.mark.parametrize("q", ["value>=oops", 'fostering "care', "colour:red"])
def test_bad_query_is_one_line_and_exit_2(indexed, q):
    result = run(indexed, "search", q)
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and result.output.startswith("error: bad query at column ")
    assert "Traceback" not in result.output


def test_contracts_csv_then_groups(indexed):
    result = run(indexed, "contracts", "--group-by", "council", "--csv")
    assert result.exit_code == 0
    rows_part, groups_part = result.stdout.split("\n\n")
    rows = list(csv.DictReader(io.StringIO(rows_part)))
    assert sorted((r["id"], r["annual_value"]) for r in rows) == [
        ("bromley:decision_details:1", "2500000.0"),
        ("bromley:decision_details:2", "400000.0"),
        ("camden:decision_details:3", "10300000.0"),
        ("camden:decision_details:4", ""),  # no value stated: blank, counted as unknown below
        ("leeds:report:6", "1200000.0"),
    ]
    groups = {g["council"]: g for g in csv.DictReader(io.StringIO(groups_part))}
    assert groups["bromley"]["median"] == "1450000.0" and groups["camden"]["unknown"] == "1"


def test_contracts_table_and_json(indexed):
    table = run(indexed, "contracts", "fostering", "--group-by", "route")
    assert table.exit_code == 0 and "2 contract matters" in table.stdout and "£2,500,000" in table.stdout
    out = json.loads(run(indexed, "contracts", "--json", "--group-by", "year").stdout)
    assert out["group_by"] == "year" and len(out["rows"]) == 5


def test_export_ocds_validates(indexed):
    target = indexed / "out" / "contracts.json"
    target.parent.mkdir(exist_ok=True)
    result = run(indexed, "export", "value>=1m", "--format", "ocds", "-o", str(target))
    assert result.exit_code == 0 and "exported 3 contract releases" in result.output
    assert not list(ocds_validator().iter_errors(json.loads(target.read_text())))
    assert [p.name for p in target.parent.iterdir()] == ["contracts.json"]  # no temporary left behind


def test_export_bad_query_leaves_no_file(indexed):
    target = indexed / "never.jsonl"
    result = run(indexed, "export", "year:nineteen", "-o", str(target))
    assert result.exit_code == 2 and not target.exists()


def test_bad_lines_are_skipped_and_reported(tmp_path):
    jsonl = tmp_path / "mixed.jsonl"
    good = sample_records()[:2]
    jsonl.write_text(good[0].to_json() + "\n{not json\n" + good[1].to_json() + "\n")
    result = CliRunner().invoke(
        cli, ["--data-dir", str(tmp_path / "d"), "index", str(jsonl), "--no-progress"]
    )
    assert result.exit_code == 1
    assert "stored: 2 new" in result.output and "1 bad lines skipped" in result.output


def test_missing_path_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "index", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 2 and "no such file or folder" in result.output


def test_index_refuses_while_another_run_holds_the_lock(tmp_path):
    from papers.pipeline.lock import RunLock

    with RunLock(tmp_path, "update"):
        result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "index", "--no-progress"])
    assert result.exit_code == 3
    assert len(result.output.strip().splitlines()) == 1 and "another run holds" in result.output


@pytest.mark.parametrize("command", [["search", "fostering"], ["contracts"], ["export", "-o", "-"]])
def test_reading_commands_on_a_missing_store_say_so_and_create_nothing(tmp_path, command):
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "typo"), *command])
    assert result.exit_code == 2 and "no store at" in result.output
    assert not (tmp_path / "typo").exists()


@pytest.mark.parametrize(
    "args, said",
    [
        (["--offset", "99999999999"], "offset must be between 0 and 10,000"),
        (["--offset", "-1"], "offset must be between 0 and 10,000"),
        (["--limit", "1001"], "limit must be between 0 and 1000"),
    ],
)
def test_search_paging_out_of_range_is_one_line_and_exit_2(indexed, args, said):
    result = run(indexed, "search", "fostering", *args)
    assert result.exit_code == 2, result.output
    assert result.output.count("\n") == 1 and result.output.startswith("error: ") and said in result.output


def test_export_to_a_missing_folder_is_one_line_and_exit_2(indexed):
    target = indexed / "no-such-folder" / "out.jsonl"
    result = run(indexed, "export", "-o", str(target))
    assert result.exit_code == 2, result.output
    assert result.output == f"error: cannot write {target}: No such file or directory\n"


def test_a_binary_file_is_refused_in_one_line_before_anything_is_stored(tmp_path):
    good = tmp_path / "good.jsonl"
    good.write_text(sample_records()[0].to_json() + "\n")
    store = tmp_path / "store.sqlite3"  # the store passed by mistake: binary pages
    store.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 64)
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "d"), "index", str(good), str(store)])
    assert result.exit_code == 2, result.output
    assert result.output == (
        f"error: {store} is not a JSONL record file (binary or not UTF-8); make one with `papers extract`\n"
    )
    assert not (tmp_path / "d").exists()


def test_an_undecodable_line_deep_in_a_file_is_one_bad_line(tmp_path):
    good = sample_records()[:2]
    jsonl = tmp_path / "mixed.jsonl"
    jsonl.write_bytes(
        (good[0].to_json() + "\n" * 70_000).encode()  # past the head that is sniffed
        + b'{"title": "caf\xe9"}\n'
        + (good[1].to_json() + "\n").encode()
    )
    result = CliRunner().invoke(
        cli, ["--data-dir", str(tmp_path / "d"), "index", str(jsonl), "--no-progress"]
    )
    assert result.exit_code == 1, result.output
    assert "stored: 2 new" in result.output and "1 bad lines skipped" in result.output


def test_a_query_word_may_start_with_a_dash(indexed):
    def ids(*args):
        result = run(indexed, "search", "--json", *args)
        assert result.exit_code == 0, result.output
        return {h["id"] for h in json.loads(result.stdout)["hits"]}

    everything = ids("fostering")
    without = ids("fostering", "-council:camden")  # as two arguments, unquoted
    assert without and without < everything and not any(i.startswith("camden:") for i in without)
    assert ids("fostering -council:camden") == without  # as one
    assert ids("-n", "1", "fostering", "-nothing") == ids("-n1", "fostering", "-nothing")
    assert len(ids("-n1", "fostering", "-nothing")) == 1  # -nothing is a word, not -n othing
    assert ids("--", "-council:camden", "fostering") == without
    contracts = json.loads(run(indexed, "contracts", "-council:camden", "--json").stdout)
    assert contracts["rows"] and not any(r["council"] == "camden" for r in contracts["rows"])


@pytest.mark.parametrize(
    ("q", "said"), [("-", "- needs a word or phrase after it"), ("*", "nothing to search for")]
)
def test_a_query_with_nothing_to_search_is_an_error_not_everything(indexed, q, said):
    result = run(indexed, "search", q)
    assert result.exit_code == 2 and result.output.startswith("error: bad query at column 1: ")
    assert said in result.output and result.output.count("\n") == 1
