"""``narrascope semeval`` commands, through Typer's test runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from narrascope.cli.semeval import app
from narrascope.pipeline import available_analysers

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "semeval"
runner = CliRunner()


def test_score_table_and_json():
    result = runner.invoke(app, ["score", "--subtask", "2", str(FIXTURES / "subtask2-pred.txt"),
                                 str(FIXTURES / "subtask2-gold.txt")])
    assert result.exit_code == 0, result.output
    assert "0.467" in result.output and "0.300" in result.output  # overall coarse / fine
    assert "1 gold document(s) have no prediction" in result.output
    data = json.loads(runner.invoke(app, ["score", str(FIXTURES / "subtask2-gold.txt"),
                                          str(FIXTURES / "subtask2-gold.txt"), "--json"]).output)
    assert data["coarse_f1"] == 1.0 and data["fine_f1"] == 1.0


def test_score_malformed_file(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("EN_1.txt\tOther\n", encoding="utf-8")
    result = runner.invoke(app, ["score", str(bad), str(FIXTURES / "subtask2-gold.txt")])
    assert result.exit_code == 2
    assert "bad.txt:1: expected 3 tab-separated fields" in result.output


def test_unknown_subtasks_are_refused():
    gold = str(FIXTURES / "subtask2-gold.txt")
    result = runner.invoke(app, ["score", "--subtask", "7", gold, gold])
    assert result.exit_code == 2 and "unknown subtask 7" in result.output


def test_predict_without_narratives_analyser_fails_clearly(tmp_path):
    if "narratives" in available_analysers():
        return  # covered by the end-to-end test below
    result = runner.invoke(app, ["predict", "--docs", str(FIXTURES / "corpus" / "raw-documents"),
                                 "--out", str(tmp_path / "out.txt")])
    assert result.exit_code == 2
    assert "narratives analyser is not available" in result.output
    assert not (tmp_path / "out.txt").exists()


class _KeywordNarratives:
    """Stand-in narratives analyser: 'army' in the text means the Ukrainian-military sub-narrative."""

    name = "narratives"
    version = "test"
    requires = ()
    assigns = ("narratives", "subnarratives")

    def __init__(self, model_dir=None):
        self.model_dir = model_dir

    def predict(self, docs):
        return ["army" in doc.text for doc in docs]

    def set_annotations(self, docs, predictions):
        from narrascope.document import Label

        for doc, hit in zip(docs, predictions):
            doc.cats["narratives"] = [Label("URW: Discrediting Ukraine", 0.9)] if hit else []
            doc.cats["subnarratives"] = (
                [Label("URW: Discrediting Ukraine: Discrediting Ukrainian military", 0.8)] if hit else [])


def test_predict_writes_a_submission_with_file_names_as_ids(tmp_path, monkeypatch):
    import narrascope.pipeline.registry as pipeline

    monkeypatch.setitem(pipeline._FACTORIES, "narratives", _KeywordNarratives)
    out = tmp_path / "pred.txt"
    result = runner.invoke(app, ["predict", "--subtask", "2", "--docs", str(FIXTURES / "corpus" / "raw-documents"),
                                 "--out", str(out), "--model", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").splitlines() == [
        "BG_1.txt\tOther\tOther",
        "EN_CC_1.txt\tOther\tOther",
        "EN_UA_2.txt\tURW: Discrediting Ukraine\tURW: Discrediting Ukraine: Discrediting Ukrainian military",
        "EN_UA_3.txt\tOther\tOther",
    ]
    scores = json.loads(runner.invoke(app, ["score", str(out), str(FIXTURES / "corpus" / "labels" / "EN" /
                                                                  "subtask-2-annotations.txt"), "--json"]).output)
    assert scores["extra_predictions"] == 1  # BG_1 has no gold
    assert scores["coarse_f1"] == pytest.approx(2 / 3)  # EN_CC_1 missed, EN_UA_2 and EN_UA_3 right


def test_predict_covers_unreadable_documents_with_other(tmp_path, monkeypatch):
    import narrascope.pipeline.registry as pipeline

    monkeypatch.setitem(pipeline._FACTORIES, "narratives", _KeywordNarratives)
    docs = tmp_path / "docs" / "nested"
    docs.mkdir(parents=True)
    (docs / "EN_1.txt").write_text("The army retreats.", encoding="utf-8")
    (docs / "EN_2.txt").write_text("", encoding="utf-8")
    out = tmp_path / "pred.txt"
    result = runner.invoke(app, ["predict", "--docs", str(tmp_path / "docs"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").splitlines() == [
        "EN_1.txt\tURW: Discrediting Ukraine\tURW: Discrediting Ukraine: Discrediting Ukrainian military",
        "EN_2.txt\tOther\tOther",
    ]
