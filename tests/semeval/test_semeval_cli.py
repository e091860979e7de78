"""``narrascope semeval`` commands, through Typer's test runner."""

from __future__ import annotations

import json
from pathlib import Path

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
