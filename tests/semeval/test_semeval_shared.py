"""Checks on the real SemEval-2025 Task 10 release in ../shared beside the repository (skipped when absent)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from narrascope.cli.semeval import app
from narrascope.semeval import load_corpus, read_subtask2, score_subtask2
from narrascope.taxonomy import load_taxonomy

TASK = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "semeval2025-task10"
TRAIN = TASK / "train"
LANGS = ("BG", "EN", "HI", "PT", "RU")

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not TRAIN.is_dir(), reason=f"SemEval-2025 Task 10 data not found at {TASK} (../shared beside the repo)"),
]


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(TRAIN)


def test_all_training_documents_load(corpus):
    assert len(corpus) == 1781
    assert Counter(d.lang for d in corpus) == {"EN": 399, "BG": 401, "HI": 366, "PT": 400, "RU": 215}
    assert all(d.narratives and d.subnarratives for d in corpus)
    assert sum(len(d.mentions) for d in corpus) == 5617
    assert sum(d.explanation is not None for d in corpus) == 1215
    english = [m for d in corpus if d.lang == "EN" for m in d.mentions]
    assert sum(m.aligned for m in english) / len(english) > 0.95


def test_gold_labels_are_in_the_taxonomy(corpus):
    tax = load_taxonomy()
    for doc in corpus:
        assert set(doc.narratives) <= set(tax.narratives), doc.id
        assert set(doc.subnarratives) <= set(tax.subnarratives), doc.id
        assert {tax.narrative_of(s) for s in doc.subnarratives} <= set(doc.narratives), doc.id


def test_official_lists_match_the_taxonomy():
    tax = load_taxonomy()
    lists = TASK / "taxonomy"
    narratives = {line.strip() for line in (lists / "subtask2_narratives.txt").read_text(encoding="utf-8").splitlines()}
    subs = {line.strip() for line in (lists / "subtask2_subnarratives.txt").read_text(encoding="utf-8").splitlines()}
    assert set(tax.official_narratives) == narratives - {""}
    assert set(tax.official_subnarratives) == subs - {""}


@pytest.mark.parametrize("lang", LANGS)
def test_gold_against_itself_scores_one(lang):
    gold = TRAIN / "labels" / lang / "subtask-2-annotations.txt"
    result = score_subtask2(gold, gold)
    assert (result["coarse_f1"], result["fine_f1"]) == (1.0, 1.0)
    assert list(result["per_language"]) == [lang]


def test_cli_gold_against_itself_prints_one():
    gold = str(TRAIN / "labels" / "EN" / "subtask-2-annotations.txt")
    result = CliRunner().invoke(app, ["score", "--subtask", "2", gold, gold])
    assert result.exit_code == 0
    assert "│ EN  │       399 │     1.000 │   1.000 │" in result.output


def test_all_other_baseline_matches_scikit_learn(corpus):
    """Predicting ``Other`` everywhere, scored by us and by the official recipe (samples-F1 over official lists)."""
    from sklearn.metrics import f1_score
    from sklearn.preprocessing import MultiLabelBinarizer

    tax = load_taxonomy()
    gold = {d.id: (d.narratives, d.subnarratives) for d in corpus}
    pred = {doc_id: (["Other"], ["Other"]) for doc_id in gold}
    result = score_subtask2(pred, gold)
    for level, classes, key in ((0, tax.official_narratives, "coarse_f1"), (1, tax.official_subnarratives, "fine_f1")):
        mlb = MultiLabelBinarizer(classes=classes).fit([classes])
        g = mlb.transform([[x for x in gold[d][level] if x in classes] for d in gold])
        p = mlb.transform([[x for x in pred[d][level] if x in classes] for d in gold])
        assert result[key] == pytest.approx(f1_score(g, p, average="samples", zero_division=1))
    share_other = sum(d.narratives == ["Other"] for d in corpus) / len(corpus)
    assert result["coarse_f1"] == pytest.approx(share_other)


def test_read_subtask2_matches_corpus(corpus):
    labels = read_subtask2(TRAIN / "labels" / "RU" / "subtask-2-annotations.txt")
    assert {d.id: (d.narratives, d.subnarratives) for d in corpus if d.lang == "RU"} == labels


def test_unlabelled_test_release_loads():
    if not (TASK / "unlabelled-test").is_dir():
        pytest.skip("no unlabelled-test folder")
    docs = load_corpus(TASK / "unlabelled-test")
    assert len(docs) == 460
    assert all(not d.narratives and not d.mentions for d in docs)
