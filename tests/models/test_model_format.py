"""Every trained component saves and loads one model-folder layout (:mod:`narrascope.models.format`), and the shipped
models predict exactly what ``fixtures/models/shipped_predictions.json`` records for them.

The fixture was written by the code before the conversion to format 1 (layout before format 1), from the shipped
models: probabilities, decoded labels, sentence scores, entity roles and technique spans on a few short texts in five
languages, so the converted models were checked against the old code. A retrained component's part is rewritten
with ``PYTHONPATH=src .venv/bin/python tests/models/test_model_format.py narratives`` (the narrative model was
retrained since). Floats are compared exactly, not approximately.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from narrascope.models import packaged_model_dir
from narrascope.models.entity_roles import EntityRoleClassifier, MentionContext
from narrascope.models.format import (
    ARRAYS,
    METADATA,
    STATE,
    ModelFileMissing,
    ModelFormatError,
    load_model,
    read_metadata,
    save_model,
)
from narrascope.models.narratives import NarrativeModel
from narrascope.models.techniques import TechniqueModel, Unit
from narrascope.text.sentences import split_sentences

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "models" / "shipped_predictions.json"
COMPONENT_FOLDERS = {"narratives": ["narratives"], "entities": ["entities"],
                     "techniques": ["techniques/en", "techniques/ru"]}


@pytest.fixture(scope="module")
def before():
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def texts(before):
    texts = [t["text"] for t in before["texts"]]
    return texts, [t["lang"] for t in before["texts"]], [split_sentences(t) for t in texts]


def narrative_predictions(texts: list[str], langs: list[str], sentences: list[list[tuple[int, int]]]) -> dict:
    """What the fixture records of the shipped narrative model."""
    model = NarrativeModel.load(packaged_model_dir("narratives"))
    decoded = [[list(map(list, n)), list(map(list, s))] for n, s in model.predict(texts, langs, sentences)]
    scores = model.classifier.sentence_scores(texts[0], "en", sentences[0], list(range(len(model.classes))))
    return {"proba": model.classifier.predict_proba(texts, langs, sentences).tolist(), "decoded": decoded,
            "sentence_scores": scores.tolist()}


def test_the_shipped_narrative_model_predicts_exactly_what_the_fixture_records(before, texts):
    now = narrative_predictions(*texts)
    for key in ("proba", "decoded", "sentence_scores"):
        assert now[key] == before["narratives"][key], f"{key} differ (retrained? see the module docstring)"


def test_the_shipped_entity_model_predicts_exactly_as_before_the_conversion(before, texts):
    texts = texts[0]
    model = EntityRoleClassifier.load(packaged_model_dir("entities"))
    contexts = [MentionContext(texts[m["text"]], m["start"], m["end"], m["lang"]) for m in before["mentions"]]
    assert model.predict_proba(contexts).tolist() == before["entities"]["proba"]
    roles = [[r.main_role, r.main_proba, r.fine_roles, r.clear] for r in model.predict_roles(contexts)]
    assert roles == before["entities"]["roles"]


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_shipped_technique_models_predict_exactly_as_before_the_conversion(before, texts, lang):
    texts, langs, sentences = texts
    model = TechniqueModel.load(packaged_model_dir("techniques") / lang)
    units = [Unit(text[s:e], text) for text, spans in zip(texts, sentences) for s, e in spans]
    assert model.classifier.predict_proba(units).tolist() == before["technique_proba"][lang]
    spans = [[i, *span] for i, (text, spans_of) in enumerate(zip(texts, sentences)) if lang == "en" or langs[i] == lang
             for span in model.predict_spans(text, spans_of)]
    assert spans == before["techniques"][lang]


@pytest.mark.parametrize("component", COMPONENT_FOLDERS)
def test_every_shipped_model_folder_has_the_same_metadata_schema_and_no_pickle(component):
    for folder in COMPONENT_FOLDERS[component]:
        path = packaged_model_dir("") / folder
        metadata = read_metadata(path, component)
        assert sorted(metadata) == ["component", "created", "format_version", "libraries", "narrascope_version",
                                    "training"]
        assert sorted(metadata["libraries"]) == ["numpy", "scikit-learn", "scipy"]
        assert (path / STATE).is_file() and (path / ARRAYS).is_file()
        assert not [p for p in path.iterdir() if p.suffix in (".pkl", ".pickle", ".joblib")]
        np.load(path / ARRAYS, allow_pickle=False)  # no object arrays


def test_metadata_records_what_training_recorded_and_the_versions_it_was_saved_with(tmp_path):
    save_model(tmp_path, "entities", {"a": [1, 2]}, {"w": np.arange(3.0)}, {"command": "narrascope train entities"})
    saved = load_model(tmp_path, "entities")
    assert saved.state == {"a": [1, 2]} and saved.arrays["w"].tolist() == [0.0, 1.0, 2.0]
    assert saved.training == {"command": "narrascope train entities"}
    assert saved.metadata["format_version"] == 1 and saved.metadata["component"] == "entities"


@pytest.fixture
def folder(tmp_path):
    save_model(tmp_path / "m", "entities", {"a": 1}, {"w": np.zeros(2)})
    return tmp_path / "m"


def test_a_missing_folder_or_metadata_is_named(tmp_path, folder):
    with pytest.raises(ModelFileMissing, match=f"{tmp_path / 'nowhere'}: no such model folder"):
        load_model(tmp_path / "nowhere", "entities")
    (folder / METADATA).unlink()
    with pytest.raises(FileNotFoundError, match=f"{folder} is not a model folder: meta.json is missing .*layout "
                                                "before format 1"):
        load_model(folder, "entities")


def test_a_model_of_another_component_is_refused(folder):
    with pytest.raises(ModelFormatError, match=f"{folder} holds a entities model, not a narratives model"):
        load_model(folder, "narratives")
    with pytest.raises(ModelFormatError, match="holds a entities model, not a narratives model"):
        NarrativeModel.load(folder)


def test_an_unknown_format_version_is_refused(folder):
    metadata = json.loads((folder / METADATA).read_text(encoding="utf-8"))
    (folder / METADATA).write_text(json.dumps(metadata | {"format_version": 7}), encoding="utf-8")
    with pytest.raises(ModelFormatError, match=r"meta.json: model format version 7 is unknown"):
        load_model(folder, "entities")


@pytest.mark.parametrize("name, content, message", [
    (STATE, None, "model.json: missing from the model folder"),
    (ARRAYS, None, "weights.npz: missing from the model folder"),
    (STATE, "{not json", "model.json: not valid JSON"),
    (ARRAYS, "not a zip", "weights.npz: not a readable array file"),
    (METADATA, "[]", "meta.json: not model metadata"),
])
def test_a_broken_file_is_named(folder, name, content, message):
    if content is None:
        (folder / name).unlink()
    else:
        (folder / name).write_text(content, encoding="utf-8")
    with pytest.raises(ModelFormatError, match=message):
        load_model(folder, "entities")


def test_pickled_arrays_are_refused(folder):
    np.savez(folder / ARRAYS, w=np.array([{"code": "runs on load"}], dtype=object))
    with pytest.raises(ModelFormatError, match="weights.npz: not a readable array file"):
        load_model(folder, "entities")


def test_a_saved_version_in_an_older_layout_is_listed_with_what_is_wrong(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from narrascope.cli import app
    from narrascope.models.versions import list_versions

    monkeypatch.setenv("NARRASCOPE_MODELS", str(tmp_path))
    old = tmp_path / "narratives" / "before-format-1"
    old.mkdir(parents=True)
    (old / "classifier.json").write_text("{}", encoding="utf-8")
    (listed,) = list_versions("narratives")
    assert listed["name"] == "before-format-1" and "meta.json is missing" in listed["problem"]
    shown = CliRunner().invoke(app, ["models", "list", "narratives"])
    assert shown.exit_code == 0 and "before-format-1" in shown.output and "retrain" in shown.output


def test_every_model_class_saves_and_loads_with_the_same_signature():
    import inspect

    classes = [NarrativeModel, EntityRoleClassifier, TechniqueModel]
    assert {str(inspect.signature(cls.save)) for cls in classes} == {
        "(self, directory: 'str | Path', metadata: 'dict | None' = None) -> 'None'"}
    assert all(str(inspect.signature(cls.load)) == f"(directory: 'str | Path') -> '{cls.__name__}'" for cls in classes)


if __name__ == "__main__":  # rewrite the fixture's part of a retrained component (see the module docstring)
    import sys

    if sys.argv[1:] != ["narratives"]:
        sys.exit("usage: test_model_format.py narratives")
    recorded = json.loads(FIXTURE.read_text(encoding="utf-8"))
    texts = [t["text"] for t in recorded["texts"]]
    recorded["narratives"] = narrative_predictions(texts, [t["lang"] for t in recorded["texts"]],
                                                   [split_sentences(t) for t in texts])
    FIXTURE.write_text(json.dumps(recorded, indent=1, ensure_ascii=False), encoding="utf-8")
