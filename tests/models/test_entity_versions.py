"""Entity-role model versions kept side by side with one active (training, CLI, REST, the analyser), and the
agreement of an entity model with reviewers' role corrections (documents it was trained on left out)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from narrascope.analysers.entities import EntityAnalyser
from narrascope.cli import app
from narrascope.models import entity_training, packaged_model_dir
from narrascope.models.entity_roles import EntityRoleClassifier
from narrascope.models.entity_training import evaluate_reviews, load_subtask1, train_and_save
from narrascope.models.versions import VersionError, activate, add_version, list_versions
from narrascope.review import correct, reviewed_mentions
from narrascope.semeval_predict import predict_subtask1
from narrascope.server import create_app
from narrascope.store import Store
from tests.store.test_review import WAR, make_doc

pytestmark = pytest.mark.slow  # trains entity-role models

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "entities" / "corpus"


@pytest.fixture(scope="module")
def mentions():
    return load_subtask1(FIXTURE, langs=("EN", "PT"))


@pytest.fixture
def models(tmp_path, monkeypatch):
    monkeypatch.setenv("NARRASCOPE_MODELS", str(tmp_path / "models"))
    return tmp_path / "models"


def _reviewed_store(path: Path, roles: dict[int, str]) -> Store:
    """A store whose documents d1.. mention NATO, with reviewers' ``set-role`` corrections per document number."""
    store = Store(str(path))
    store.save([make_doc(i, [(WAR, 0.9)]) for i in sorted(roles)], pipeline_signature="v1")
    for i, role in roles.items():
        correct(store, f"d{i}", "entities", "set-role", "NATO", role=role)
    return store


def test_a_saved_entity_version_records_its_training_and_becomes_what_the_analyser_loads(mentions, models, tmp_path):
    with _reviewed_store(tmp_path / "r.db", {1: "Innocent", 2: "Innocent"}) as store:
        reviewed = reviewed_mentions(store)
    train_and_save(mentions, tmp_path / "trained", reviewed=reviewed, command="narrascope train entities ...")
    assert EntityAnalyser().model_dir == packaged_model_dir("entities")  # nothing active: the packaged model
    add_version("entities", "team-v1", tmp_path / "trained")
    assert [(v["name"], v["active"], v["reviewed_documents"], v["command"]) for v in list_versions("entities")] == [
        ("team-v1", False, 2, "narrascope train entities ...")]
    activate("entities", "team-v1")
    framer = EntityAnalyser()
    assert framer.model_dir == models / "entities" / "team-v1"
    assert framer.version != EntityAnalyser(packaged_model_dir("entities")).version  # stored documents are re-analysed
    assert list_versions("narratives") == []  # each component keeps its own versions
    (models / "entities" / "active").write_text("gone\n", encoding="utf-8")
    with pytest.raises(VersionError, match="the active entities model version 'gone' is missing"):
        EntityAnalyser()
    with pytest.raises(VersionError, match="has no model versions"):
        list_versions("techniques")


def test_semeval_subtask1_predicts_with_the_active_entities_version_like_the_analyser(mentions, models, tmp_path,
                                                                                       monkeypatch):
    train_and_save(mentions, tmp_path / "trained")
    add_version("entities", "team-v1", tmp_path / "trained")
    activate("entities", "team-v1")
    loaded: list[Path] = []
    load = EntityRoleClassifier.load.__func__

    def spy(cls, directory):
        loaded.append(Path(directory))
        return load(cls, directory)

    monkeypatch.setattr(EntityRoleClassifier, "load", classmethod(spy))
    predictions = predict_subtask1(FIXTURE, [m.row for m in mentions[:3]])
    assert loaded == [models / "entities" / "team-v1"]
    assert len(predictions) == 3 and all(p.main_role for p in predictions)


def test_agreement_with_reviewed_roles_leaves_out_documents_the_model_learnt(mentions, tmp_path):
    model = EntityRoleClassifier().fit([m.context for m in mentions], [m.row.main_role for m in mentions],
                                       [m.row.fine_roles for m in mentions])
    with _reviewed_store(tmp_path / "r.db", {1: "Innocent", 2: "Protagonist", 3: "Antagonist", 4: "Innocent"}) as store:
        reviewed = reviewed_mentions(store)
    predicted = model.predict_roles([m.context for m in reviewed])
    expected = [p.main_role == m.row.main_role for p, m in zip(predicted, reviewed)]
    result = evaluate_reviews(model, reviewed)
    assert (result["n_mentions"], result["n_documents"], result["excluded_trained_on"]) == (4, 4, 0)
    assert result["main_agreement"]["mean"] == pytest.approx(sum(expected) / 4)
    assert result["main_agreement"]["low"] <= result["main_agreement"]["mean"] <= result["main_agreement"]["high"]
    assert result["majority_role_share"] == pytest.approx(0.5)
    left_out = evaluate_reviews(model, reviewed, trained_on=["d1", "d2", "d9"])
    assert (left_out["n_mentions"], left_out["excluded_trained_on"]) == (2, 2)
    assert left_out["main_agreement"]["mean"] == pytest.approx(sum(expected[2:]) / 2)


def test_cli_trains_saves_activates_and_evaluates_entity_versions(mentions, models, tmp_path, monkeypatch):
    monkeypatch.setattr(entity_training, "load_subtask1", lambda root: mentions)
    monkeypatch.setattr(entity_training, "data_fingerprint", lambda root: {"EN": "fixture"})
    runner = CliRunner()
    db = str(tmp_path / "r.db")
    _reviewed_store(tmp_path / "r.db", {1: "Innocent", 2: "Innocent"}).close()
    assert "no saved entities versions" in runner.invoke(app, ["models", "list", "entities"]).output
    bad = runner.invoke(app, ["train", "entities", "--semeval", str(tmp_path), "--save-version", "../x"])
    assert bad.exit_code == 2 and "not a valid version name" in " ".join(bad.output.split())
    first = runner.invoke(app, ["train", "entities", "--semeval", str(tmp_path), "--save-version", "base"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, ["train", "entities", "--semeval", str(tmp_path), "--with-reviews", "--db", db,
                                 "--save-version", "with-reviews", "--activate"])
    assert second.exit_code == 0 and "(active)" in second.output, second.output
    listed = json.loads(runner.invoke(app, ["models", "list", "entities", "--json"]).output)
    assert [(v["name"], v["active"], v["reviewed_documents"]) for v in listed] == [
        ("base", False, 0), ("with-reviews", True, 2)]
    assert runner.invoke(app, ["models", "activate", "base", "--component", "entities"]).exit_code == 0
    assert (models / "entities" / "active").read_text(encoding="utf-8").strip() == "base"
    assert runner.invoke(app, ["models", "activate", "base"]).exit_code == 2  # no narratives version 'base'

    def agreement(*model: str) -> dict:
        run = runner.invoke(app, ["eval", "entities", "--reviews", "--db", db, "--json", *model])
        assert run.exit_code == 0, run.output
        return json.loads(run.output)

    assert agreement()["model"].endswith("base") and agreement()["n_mentions"] == 2
    trained = agreement("--model", "with-reviews")
    assert (trained["n_mentions"], trained["excluded_trained_on"]) == (0, 2)  # it learnt both reviewed documents
    wrong = runner.invoke(app, ["analyze", str(tmp_path), "--model", "entities=v9", "--db", str(tmp_path / "x.db")])
    assert wrong.exit_code == 2 and "neither a model folder nor a saved entities" in " ".join(wrong.output.replace("│", " ").split())
    served = runner.invoke(app, ["serve", "--model", "entities=v9", "--db", str(tmp_path / "x.db"), "--port", "0"])
    assert served.exit_code == 2 and "--model" in served.output


def test_rest_lists_and_switches_entity_versions_behind_the_cross_site_check(mentions, models, tmp_path):
    train_and_save(mentions, tmp_path / "trained")
    add_version("entities", "e1", tmp_path / "trained")
    add_version("entities", "e2", tmp_path / "trained")
    activate("entities", "e2")
    from tests.server.conftest import settings_for

    with TestClient(create_app(settings_for(tmp_path))) as client:
        listed = client.get("/api/models/entities").json()
        assert listed["component"] == "entities" and listed["in_use"].endswith("e2")
        assert [v["active"] for v in listed["versions"]] == [False, True]
        assert client.get("/api/models/narratives").json()["versions"] == []
        switched = client.put("/api/models/entities/active", json={"version": "e1"})
        assert switched.status_code == 200 and switched.json()["in_use"].endswith("e1")
        assert client.app.state.analysis.config.models == {"entities": str(models / "entities" / "e1")}
        assert client.put("/api/models/entities/active", json={"version": "nope"}).status_code == 404
        assert client.put("/api/models/entities/active", json={"version": "e2"},
                          headers={"Origin": "https://evil.example"}).status_code == 403
        paths = client.get("/openapi.json").json()["paths"]
        assert {"/api/models/entities", "/api/models/entities/active", "/api/models/narratives",
                "/api/models/narratives/active"} <= set(paths)
    assert (models / "entities" / "active").read_text(encoding="utf-8").strip() == "e1"
