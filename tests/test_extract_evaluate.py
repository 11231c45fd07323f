"""The generalisation check behind `make eval` (extract/evaluate.py), on a small gold set scored
by the shared scorer when it is there and by a stand-in that counts exact decision makers if not."""

import json
from pathlib import Path

import pytest

from extract import evaluate

SCORER = Path(__file__).resolve().parents[2] / "shared" / "tools" / "score_extraction.py"

GOLD = [
    {"id": "d001", "council": "Alpha", "decision_maker": "Cabinet"},
    {"id": "d002", "council": "Beta", "decision_maker": "Cabinet"},
    {"id": "a001", "council": "Beta", "decision_maker": "Council"},
    {"id": "a002", "council": "Gamma", "decision_maker": "Executive"},
    {"id": "a003", "council": "Gamma", "decision_maker": "Leader"},
]
# right on both d documents, on the a document of a council seen in d, and on one of Gamma's two
PREDICTED = {"d001": "Cabinet", "d002": "Cabinet", "a001": "Council", "a002": "Executive", "a003": None}


def stand_in(gold_dir, predictions):
    """Micro P/R/F1 of exact decision makers: the shared scorer's shape for one field."""
    gold = [json.loads(line) for line in (Path(gold_dir) / "gold.jsonl").read_text().splitlines()]
    preds = {Path(r["source"]).stem: r for r in map(json.loads, Path(predictions).read_text().splitlines())}
    tp = sum(1 for g in gold if preds[g["id"]]["decision_maker"] == g["decision_maker"])
    n_pred = sum(1 for g in gold if preds[g["id"]]["decision_maker"] is not None)
    p, r = tp / n_pred if n_pred else 1.0, tp / len(gold)
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"decision_maker": {"f1": f1, "gold": len(gold), "predicted": n_pred}}, [], []


@pytest.fixture
def files(tmp_path):
    (tmp_path / "gold").mkdir()
    (tmp_path / "gold" / "gold.jsonl").write_text("".join(json.dumps(g) + "\n" for g in GOLD))
    lines = [json.dumps({"source": f"x/{i}.txt", "decision_maker": m}) for i, m in PREDICTED.items()]
    (tmp_path / "pred.jsonl").write_text("\n".join(lines) + "\n")
    return tmp_path


def test_groups_new_councils_and_council_mean(files):
    columns = evaluate.evaluate(stand_in, GOLD, str(files / "pred.jsonl"))
    dm = {name: column["decision_maker"] for name, column in columns.items()}
    assert dm["d"] == 1.0
    assert dm["a"] == pytest.approx(0.8)  # 2 right of 2 predicted, of 3 gold
    assert dm["new"] == pytest.approx(2 / 3)  # Gamma only: Beta has a d document
    assert dm["d-a"] == pytest.approx(0.2)
    assert dm["council"] == pytest.approx((1.0 + 1.0 + 2 / 3) / 3)  # Alpha, Beta, Gamma once each


def test_group_of_reads_the_id_letters():
    assert [evaluate.group_of(i) for i in ("d017", "a003", "s000", "H12")] == ["d", "a", "s", "h"]


@pytest.mark.skipif(not SCORER.is_file(), reason="shared scorer not checked out beside the repository")
def test_cli_with_the_shared_scorer_prints_the_gap(files, capsys):
    assert evaluate.main([str(files / "gold"), str(files / "pred.jsonl"), "--scorer", str(SCORER)]) == 0
    out = capsys.readouterr().out
    assert "new (2)" in out and "council (3)" in out  # documents of unseen councils; councils
    assert "0.200*" in out  # the d-a gap above 0.05, starred


def test_cli_missing_file_is_a_usage_error(files, capsys):
    assert evaluate.main([str(files / "gold"), str(files / "nothing.jsonl"), "--scorer", str(SCORER)]) == 2
    assert "no such file" in capsys.readouterr().err


def test_the_star_footnote_only_follows_a_starred_gap():
    counts = {"d": 1, "a": 1}
    close = evaluate.render({"d": {"decision_maker": 1.0}, "d-a": {"decision_maker": 0.02}}, counts)
    wide = evaluate.render({"d": {"decision_maker": 1.0}, "d-a": {"decision_maker": 0.2}}, counts)
    assert "leads a" not in close and "0.020 " in close
    assert "0.200*" in wide and wide.splitlines()[-1].startswith("* d leads a")
