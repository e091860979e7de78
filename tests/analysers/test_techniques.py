"""The techniques analyser: spans in English documents, a recorded skip for other languages, custom model_dir."""

import importlib.util
from pathlib import Path

from narrascope.document import TECHNIQUES, Document
from narrascope.models.techniques import TechniqueClassifier, TechniqueModel
from narrascope.pipeline import PipelineConfig, load_pipeline

_spec = importlib.util.spec_from_file_location(
    "technique_corpus", Path(__file__).resolve().parents[1] / "fixtures" / "techniques" / "corpus.py"
)
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)

LOADED = (
    "Headline: The corrupt regime of bloodthirsty thugs and traitors is destroying our great nation\n\n"
    "The council will meet on Tuesday to approve the budget for road repairs."
)


def run(doc, model_dir=None):
    models = {"techniques": model_dir} if model_dir else {}
    pipeline = load_pipeline(PipelineConfig(components=("segmenter", "sentences", "techniques"), models=models))
    return pipeline(doc)


def test_english_document_gets_technique_spans_inside_its_text():
    doc = run(Document(LOADED, language="en"))
    spans = doc.spans[TECHNIQUES]
    assert spans, "expected at least one technique in an openly loaded headline"
    for span in spans:
        assert 0 <= span.start < span.end <= len(doc.text)
        assert 0.0 <= span.score <= 1.0
        assert span.end <= LOADED.index("\n\n"), "the neutral budget sentence should carry no technique"
    assert "techniques" not in doc.meta


def test_other_language_is_skipped_with_a_reason():
    doc = run(Document("Корумпираният режим на предателите унищожава нашата велика нация.", language="bg"))
    assert doc.spans[TECHNIQUES] == []
    assert "no persuasion-technique model for language 'bg'" in doc.meta["techniques"]["skipped"]


def test_model_dir_selects_another_model(tmp_path: Path):
    articles, spans = corpus.synthetic_corpus()
    classifier = TechniqueClassifier(techniques=corpus.TECHS, min_positives=2, threshold_folds=3)
    model = TechniqueModel.fit(articles, spans, classifier=classifier)
    model.save(tmp_path / "toy")
    doc = run(Document("The so-called experts of group 7 made a claim.", language="en"), model_dir=str(tmp_path / "toy"))
    assert [(s.label, doc.quote(s)) for s in doc.spans[TECHNIQUES]] == [("Doubt", "so-called experts")]


def test_a_model_folder_serves_the_language_it_was_trained_for(tmp_path: Path):
    articles, spans = corpus.synthetic_corpus()
    classifier = TechniqueClassifier(techniques=corpus.TECHS, min_positives=2, threshold_folds=3)
    TechniqueModel.fit(articles, spans, classifier=classifier, language="ru").save(tmp_path / "models" / "ru")
    models = {"techniques": str(tmp_path / "models")}
    pipeline = load_pipeline(PipelineConfig(components=("segmenter", "sentences", "techniques"), models=models))
    russian = pipeline(Document("The so-called experts of group 7 made a claim.", language="ru"))
    assert [s.label for s in russian.spans[TECHNIQUES]] == ["Doubt"]
    english = pipeline(Document("The so-called experts of group 7 made a claim.", language="en"))
    assert english.spans[TECHNIQUES] == []
    assert "exists only for ru" in english.meta["techniques"]["skipped"]


def test_russian_document_gets_technique_spans_from_the_packaged_russian_model():
    text = "Эти лживые предатели и негодяи из киевского режима снова устроили гнусную провокацию."
    doc = run(Document(text, language="ru"))
    assert {s.label for s in doc.spans[TECHNIQUES]} & {"Loaded_Language", "Name_Calling-Labeling"}
    assert "techniques" not in doc.meta


def test_a_model_without_a_language_is_refused_with_the_file_named(tmp_path: Path):
    import pytest

    from narrascope.analysers.techniques import language_models
    from narrascope.models.format import save_model

    save_model(tmp_path / "old", "techniques", {"classifier_params": {}}, {})
    with pytest.raises(ValueError, match="old/meta.json names no language"):
        language_models(tmp_path / "old")
