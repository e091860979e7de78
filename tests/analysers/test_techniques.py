"""The techniques analyser: spans in English documents, a recorded skip for other languages, custom model_dir."""

import importlib.util
from pathlib import Path

from narrascope.document import TECHNIQUES, Document
from narrascope.models.techniques import TechniqueClassifier, TechniqueModel
from narrascope.pipeline import load_pipeline

_spec = importlib.util.spec_from_file_location(
    "technique_corpus", Path(__file__).resolve().parents[1] / "fixtures" / "techniques" / "corpus.py"
)
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)

LOADED = (
    "Headline: The corrupt regime of bloodthirsty thugs and traitors is destroying our great nation\n\n"
    "The council will meet on Tuesday to approve the budget for road repairs."
)


def run(doc, **config):
    pipeline = load_pipeline(["segmenter", "sentences", "techniques"], config={"techniques": config} if config else None)
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
