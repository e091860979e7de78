"""The narratives analyser: labels with probabilities, evidence sentences inside the text, Other without evidence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from narrascope.document import NARRATIVES, SUBNARRATIVES, Document
from narrascope.models.narratives import OTHER
from narrascope.models.training import train_model
from narrascope.pipeline import load_pipeline
from narrascope.semeval import SemevalDocument

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "narratives" / "synthetic.jsonl"
SHARED_TEST = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "semeval2025-task10" / "unlabelled-test"


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> str:
    rows = [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines()]
    docs = [SemevalDocument(r["id"], r["lang"], r["text"], r["narratives"], r["subnarratives"]) for r in rows]
    path = tmp_path_factory.mktemp("narrative-model")
    train_model(docs, random_state=0)[0].save(path)
    return str(path)


def _pipeline(model_dir: str | None):
    config = {"narratives": {"model_dir": model_dir}} if model_dir else {}
    return load_pipeline(["segmenter", "sentences", "narratives"], config=config)


def test_labels_and_evidence_inside_text(model_dir):
    text = ("Army day in Moscow\n\nThe meeting took place on Tuesday afternoon. "
            "The victory parade displayed the invincible might of Russian missiles. Local residents gathered in the square. "
            "The mighty Russian army crushed the enemy lines with tanks and artillery. The weather was mild for the season.")
    doc = _pipeline(model_dir)(Document(text, language="en"))
    narratives, subs = doc.cats[NARRATIVES], doc.cats[SUBNARRATIVES]
    assert [label.name for label in narratives] == ["URW: Praise of Russia"]
    assert "URW: Praise of Russia: Praise of Russian military might" in [label.name for label in subs]
    for label in narratives + subs:
        assert 0 < label.score <= 1
        assert 1 <= len(label.evidence) <= 3
        for span in label.evidence:
            assert 0 <= span.start < span.end <= len(text)
            assert span.label == label.name
    top = narratives[0].evidence[0]
    assert "Russian" in doc.quote(top)  # the best evidence is one of the two praising sentences


def test_other_document_has_single_label_without_evidence(model_dir):
    text = "The football club won the match after a late goal. A new recipe for apple pie became popular at the market."
    doc = _pipeline(model_dir)(Document(text, language="en"))
    for layer in (NARRATIVES, SUBNARRATIVES):
        assert len(doc.cats[layer]) == 1
        assert doc.cats[layer][0].name == OTHER and doc.cats[layer][0].evidence == []


def test_version_follows_model(model_dir):
    pipeline = _pipeline(model_dir)
    assert pipeline.get("narratives").version.startswith("1-")
    assert pipeline.get("narratives").version != _pipeline(None).get("narratives").version


@pytest.mark.shared
def test_default_model_on_unlabelled_test_article():
    if not SHARED_TEST.is_dir():
        pytest.skip(f"SemEval-2025 unlabelled test documents not found at {SHARED_TEST} (../shared beside the repository)")
    path = sorted((SHARED_TEST / "raw-documents" / "EN").glob("*.txt"))[0]
    text = path.read_text(encoding="utf-8")
    doc = load_pipeline(["segmenter", "language", "sentences", "narratives"])(Document(text, id=path.name))
    labels = doc.cats[NARRATIVES] + doc.cats[SUBNARRATIVES]
    assert labels
    for label in labels:
        for span in label.evidence:
            assert 0 <= span.start < span.end <= len(text)
            assert doc.quote(span).strip()
