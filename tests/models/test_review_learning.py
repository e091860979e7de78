"""Learning from reviews: reviewed documents as training data, agreement of a model with reviews (documents it was
trained on left out), and model versions side by side with one active (CLI helpers and REST)."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from narrascope.models.training import evaluate_reviews, train_model
from narrascope.models.versions import VersionError, activate, active_dir, add_version, list_versions, resolve_model
from narrascope.review import correct, reviewed_documents
from narrascope.semeval import SemevalDocument
from narrascope.server import create_app
from narrascope.store import Store
from tests.store.test_review import CLIMATE, PRAISE, WAR, WAR_SUB, make_doc

FEARS_SUB = "CC: Amplifying Climate Fears: Doomsday scenarios for humans"


def test_reviewed_documents_carry_the_reviewed_labels(tmp_path):
    with Store(str(tmp_path / "r.db")) as store:
        store.save([make_doc(1, [(WAR, 0.9)]), make_doc(2, [(CLIMATE, 0.8)]), make_doc(3, [(WAR, 0.9)])],
                   pipeline_signature="v1")
        correct(store, "d1", "narratives", "reject", WAR)
        correct(store, "d1", "subnarratives", "reject", WAR_SUB)
        correct(store, "d2", "narratives", "add", PRAISE)
        correct(store, "d3", "entities", "set-role", "NATO", role="Innocent")  # no label decision: not a review
        docs = {d.id: d for d in reviewed_documents(store)}
    assert set(docs) == {"d1", "d2"}
    assert (docs["d1"].narratives, docs["d1"].subnarratives, docs["d1"].lang) == (["Other"], ["Other"], "EN")
    assert docs["d2"].narratives == [CLIMATE, PRAISE]
    assert docs["d2"].subnarratives == [f"{CLIMATE}: Other", f"{PRAISE}: Other"]


def _synthetic(n: int, offset: int) -> list[SemevalDocument]:
    """Articles whose narrative shows only in coined words (as in benchmarks/review_shift_experiment.py)."""
    out = []
    for i in range(n):
        kind = i % 3
        words = ["brakmor quentaxe vellard"] * (kind == 0) + ["skelvane oruthi nembral"] * (kind == 1)
        text = f"Roundup {offset + i}\n\nThe council met again. " + " ".join(f"People talk of the {w}." for w in words * 2)
        narratives = [["Other"], [CLIMATE], ["Other"]][kind] if kind != 0 else ["CC: Criticism of climate policies"]
        subs = ["Other"] if narratives == ["Other"] else [f"{narratives[0]}: Other"]
        if kind == 1:
            subs = [FEARS_SUB]
        out.append(SemevalDocument(f"s{offset + i}", "EN", text, narratives, subs))
    return out


def test_agreement_with_reviews_leaves_out_what_the_model_learnt_from():
    train, heldout = _synthetic(45, 0), _synthetic(15, 100)
    model, _ = train_model(train, random_state=0)
    model.info["reviewed_documents"] = [d.id for d in train[:5]]
    result = evaluate_reviews(model, train[:5] + heldout)
    assert (result["n_documents"], result["excluded_trained_on"]) == (15, 5)
    assert result["base_coarse"]["mean"] == pytest.approx(1 / 3)  # 'Other everywhere' matches the Other third
    assert result["coarse"]["low"] <= result["coarse"]["mean"] <= result["coarse"]["high"]


def _model_folder(path, reviewed: int = 0):
    path.mkdir(parents=True)
    (path / "meta.json").write_text(json.dumps({"component": "narratives", "format_version": 1, "training": {
        "reviewed_documents": [f"d{i}" for i in range(reviewed)], "command": "narrascope train ..."}}), encoding="utf-8")
    return path


def test_versions_side_by_side_with_one_active(tmp_path, monkeypatch):
    monkeypatch.setenv("NARRASCOPE_MODELS", str(tmp_path / "models"))
    assert active_dir("narratives") is None and list_versions("narratives") == []
    add_version("narratives", "v1", _model_folder(tmp_path / "a"))
    add_version("narratives", "v2", _model_folder(tmp_path / "b", reviewed=3))
    with pytest.raises(VersionError, match="exists already"):
        add_version("narratives", "v1", tmp_path / "a")
    with pytest.raises(VersionError, match="not a valid version name"):
        add_version("narratives", "../escape", tmp_path / "a")
    activate("narratives", "v2")
    assert active_dir("narratives") == tmp_path / "models" / "narratives" / "v2"
    assert [(v["name"], v["active"], v["reviewed_documents"]) for v in list_versions("narratives")] == [
        ("v1", False, 0), ("v2", True, 3)]
    assert resolve_model("narratives", "v1") == tmp_path / "models" / "narratives" / "v1"
    assert resolve_model("narratives", str(tmp_path / "a")) == tmp_path / "a"
    with pytest.raises(VersionError, match="no narratives model version 'v9'"):
        activate("narratives", "v9")

    from narrascope.analysers.narratives import default_model_dir
    assert default_model_dir() == tmp_path / "models" / "narratives" / "v2"

    from tests.server.conftest import settings_for
    with TestClient(create_app(settings_for(tmp_path))) as client:
        listed = client.get("/api/models/narratives").json()
        assert listed["in_use"].endswith("v2") and [v["active"] for v in listed["versions"]] == [False, True]
        switched = client.put("/api/models/narratives/active", json={"version": "v1"})
        assert switched.status_code == 200 and switched.json()["in_use"].endswith("v1")
        assert client.app.state.analysis.config.models["narratives"].endswith("v1")
        assert client.put("/api/models/narratives/active", json={"version": "nope"}).status_code == 404
        assert client.put("/api/models/narratives/active", json={"version": "v2"},
                          headers={"Origin": "https://evil.example"}).status_code == 403
    assert active_dir("narratives").name == "v1"


def test_reviewed_entity_roles_become_training_mentions(tmp_path):
    from narrascope.review import reviewed_mentions

    with Store(str(tmp_path / "r.db")) as store:
        store.save([make_doc(1, [(WAR, 0.9)]), make_doc(2, [(WAR, 0.9)])], pipeline_signature="v1")
        correct(store, "d1", "entities", "set-role", "NATO", role="Innocent", fine_roles=["Victim"])
        correct(store, "d2", "narratives", "accept", WAR)
        mentions = reviewed_mentions(store)
    assert [(m.row.doc_id, m.row.mention, m.row.main_role, m.row.fine_roles, m.lang) for m in mentions] == [
        ("d1", "NATO", "Innocent", ("Victim",), "en")]
    assert mentions[0].context.text[mentions[0].context.start:mentions[0].context.end] == "NATO"
    assert mentions[0].row.end == mentions[0].context.end - 1  # subtask-1 rows end inclusive


def test_models_commands_list_and_activate_versions(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from narrascope.cli import app

    monkeypatch.setenv("NARRASCOPE_MODELS", str(tmp_path / "models"))
    runner = CliRunner()
    assert "no saved narratives versions" in runner.invoke(app, ["models", "list"]).output
    add_version("narratives", "team-v1", _model_folder(tmp_path / "a", reviewed=2))
    assert runner.invoke(app, ["models", "activate", "team-v1"]).exit_code == 0
    listed = json.loads(runner.invoke(app, ["models", "list", "--json"]).output)
    assert [(v["name"], v["active"], v["reviewed_documents"]) for v in listed] == [("team-v1", True, 2)]
    missing = runner.invoke(app, ["models", "activate", "team-v9"])
    assert missing.exit_code == 2 and "no narratives model version 'team-v9'" in " ".join(missing.output.split())
    wrong = runner.invoke(app, ["analyze", str(tmp_path), "--model", "narratives=team-v9", "--db", str(tmp_path / "x.db")])
    assert wrong.exit_code == 2 and "neither a model folder nor a saved" in " ".join(wrong.output.split())
