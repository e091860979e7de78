"""``narrascope eval entities`` and ``narrascope train entities`` carry what the removed ``python -m
narrascope.models.entity_training`` offered and the model card's reproduction commands use: estimator keyword
arguments (--params), extra fine thresholds (--thresholds), cross-validation recorded in the trained model (--cv,
--repeats) and the results written as JSON (--out)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from narrascope.cli import app
from narrascope.models import entity_training
from narrascope.models.entity_training import load_subtask1
from narrascope.models.versions import training_info

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "entities" / "corpus"


@pytest.fixture
def fixture_corpus(monkeypatch):
    mentions = load_subtask1(FIXTURE, langs=("EN", "PT"))
    monkeypatch.setattr(entity_training, "load_subtask1", lambda root: mentions)
    monkeypatch.setattr(entity_training, "data_fingerprint", lambda root: {"EN": "fixture"})
    return mentions


def test_eval_entities_takes_estimator_parameters_and_extra_thresholds_and_writes_json(fixture_corpus, tmp_path):
    out = tmp_path / "cv.json"
    result = CliRunner().invoke(app, ["eval", "entities", "--semeval", str(tmp_path), "--folds", "2", "--no-heldout",
                                      "--params", '{"calibration_folds": 0}', "--thresholds", "0.5,0.7",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    results = json.loads(out.read_text(encoding="utf-8"))
    assert set(results) == {"cv"}
    assert {"exact_match@0.5", "exact_match@0.7", "main_accuracy"} <= set(results["cv"]["ALL"])
    assert results["cv"]["ALL"]["shown"]["mean"] == 1.0  # calibration_folds 0: nothing is unclear
    assert "fine exact match" in result.output


def test_eval_entities_refuses_parameters_that_are_not_a_json_object(fixture_corpus, tmp_path):
    result = CliRunner().invoke(app, ["eval", "entities", "--semeval", str(tmp_path), "--params", "[1]"])
    assert result.exit_code == 2 and "JSON object" in result.output


def test_train_entities_with_cv_records_the_figures_and_command_in_the_model(fixture_corpus, tmp_path):
    result = CliRunner().invoke(app, ["train", "entities", "--semeval", str(tmp_path), "--cv", "2",
                                      "--params", '{"calibration_folds": 2}', "--out", str(tmp_path / "model")])
    assert result.exit_code == 0, result.output
    training = training_info(tmp_path / "model")
    assert training["command"].startswith("narrascope ") and training["annotation_sha256_16"] == {"EN": "fixture"}
    assert {"main_accuracy", "exact_match"} <= set(training["cv"]["ALL"])
    assert training["heldout"] == {} and "none of the packaged held-out documents" in result.output
    assert (tmp_path / "model" / "gazetteer.json").is_file()
