"""Subtask-2 files and the official samples-F1 metric, on a hand-computed pred/gold pair."""

from __future__ import annotations

from pathlib import Path

import pytest

from narrascope.semeval import read_subtask2, score_subtask2, write_subtask2
from narrascope.taxonomy import load_taxonomy

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "semeval"
GOLD = FIXTURES / "subtask2-gold.txt"
PRED = FIXTURES / "subtask2-pred.txt"


def test_hand_computed_scores():
    result = score_subtask2(PRED, GOLD)
    # per document (coarse, fine):
    #   EN_1  gold {DU} vs pred {DU, RV}: 2*1/3;  gold {military, puppet} vs pred {military, RV: Other}: 2*1/4
    #   EN_2  Other vs Other: 1, 1
    #   EN_3  no overlap: 0, 0
    #   BG_1  {CCB, ACF} vs {CCB}: 2/3;  fine: "CC: Climate change is beneficial: Other" is not official and is
    #         dropped on both sides, leaving gold {ACF: Other} vs pred {}: 0
    #   BG_2  not predicted: 0, 0
    assert result["n_documents"] == 5
    assert result["coarse_f1"] == pytest.approx((2 / 3 + 1 + 0 + 2 / 3 + 0) / 5)
    assert result["fine_f1"] == pytest.approx((0.5 + 1 + 0 + 0 + 0) / 5)
    assert result["per_language"]["EN"]["coarse_f1"] == pytest.approx((2 / 3 + 1) / 3)
    assert result["per_language"]["EN"]["fine_f1"] == pytest.approx(0.5)
    assert result["per_language"]["BG"]["coarse_f1"] == pytest.approx(1 / 3)
    assert result["per_language"]["BG"]["n_documents"] == 2
    assert result["missing_predictions"] == ["BG_2.txt"]
    assert result["extra_predictions"] == 1
    assert result["dropped_labels"] == {"gold": 1, "pred": 1}


def test_matches_scikit_learn_samples_f1_like_the_official_scorer():
    """Cross-check against the official scorer's recipe: binarise with the official lists, f1 average=samples
    (``zero_division=1``: a document with no official label on either side is an agreement)."""
    sklearn = pytest.importorskip("sklearn")
    from sklearn.metrics import f1_score
    from sklearn.preprocessing import MultiLabelBinarizer

    assert sklearn
    tax = load_taxonomy()
    pred, gold = read_subtask2(PRED), read_subtask2(GOLD)
    result = score_subtask2(pred, gold)
    for level, classes, key in ((0, tax.official_narratives, "coarse_f1"), (1, tax.official_subnarratives, "fine_f1")):
        mlb = MultiLabelBinarizer(classes=classes)
        mlb.fit([classes])
        g = mlb.transform([[x for x in gold[d][level] if x in classes] for d in gold])
        p = mlb.transform([[x for x in pred.get(d, ([], []))[level] if x in classes] for d in gold])
        assert result[key] == pytest.approx(f1_score(g, p, average="samples", zero_division=1))


def test_gold_against_itself_is_perfect():
    result = score_subtask2(GOLD, GOLD)
    assert result["coarse_f1"] == 1.0 and result["fine_f1"] == 1.0
    assert result["missing_predictions"] == [] and result["extra_predictions"] == 0


def test_labels_outside_the_official_list_never_crash():
    gold = {"EN_1.txt": (["Made up"], ["Made up: thing"]), "EN_2.txt": (["Other"], ["Made up: thing"])}
    pred = {"EN_1.txt": (["Made up"], ["Made up: thing"]), "EN_2.txt": (["Other"], ["Other"])}
    result = score_subtask2(pred, gold)
    # EN_1: nothing official left on either side, an agreement (1, 1); EN_2: coarse 1, fine {} vs {Other}: 0
    assert (result["coarse_f1"], result["fine_f1"]) == (1.0, 0.5)
    assert result["dropped_labels"] == {"gold": 3, "pred": 2}


def test_scoring_needs_gold():
    with pytest.raises(ValueError, match="no gold"):
        score_subtask2({}, {})


def test_write_then_read_round_trip(tmp_path):
    predictions = {
        "EN_1.txt": (["URW: Discrediting Ukraine", "URW: Discrediting Ukraine"],
                     ["URW: Discrediting Ukraine: Other"]),
        "EN_2.txt": ([], []),
    }
    path = tmp_path / "pred.txt"
    write_subtask2(path, predictions)
    assert path.read_text(encoding="utf-8") == (
        "EN_1.txt\tURW: Discrediting Ukraine\tURW: Discrediting Ukraine: Other\n"
        "EN_2.txt\tOther\tOther\n"
    )
    assert read_subtask2(path) == {
        "EN_1.txt": (["URW: Discrediting Ukraine"], ["URW: Discrediting Ukraine: Other"]),
        "EN_2.txt": (["Other"], ["Other"]),
    }


def test_writer_refuses_labels_that_would_break_the_layout(tmp_path):
    with pytest.raises(ValueError, match="contains a tab, newline or ';'"):
        write_subtask2(tmp_path / "p.txt", {"EN_1.txt": (["a;b"], [])})
    with pytest.raises(ValueError, match="invalid document id"):
        write_subtask2(tmp_path / "p.txt", {"EN\t1": ([], [])})


def test_reader_tolerates_whitespace_and_blank_lines(tmp_path):
    path = tmp_path / "p.txt"
    path.write_text("EN_1.txt\t Other \tOther\r\n\n", encoding="utf-8")
    assert read_subtask2(path) == {"EN_1.txt": (["Other"], ["Other"])}
