"""The ``techniques`` analyser: persuasion-technique spans (SemEval-2023 Task 3 names) in English documents.

It scores every content sentence with the packaged :class:`~narrascope.models.techniques.TechniqueModel` and
writes ``doc.spans["techniques"]`` as ``Span(start, end, label=<technique>, score=<probability>)``; the span is a
cue phrase for phrase-like techniques (e.g. Loaded_Language) and the sentence otherwise. The model was trained
on English news only, so documents in another language are skipped and the reason is recorded in
``doc.meta["techniques"]`` (an English n-gram model has no signal on Cyrillic or Devanagari text, and no labelled
non-English data was available here to measure it on Portuguese).
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from narrascope.document import SENTENCES, TECHNIQUES, Document, Span
from narrascope.models import model_version, packaged_model_dir
from narrascope.models.techniques import TechniqueModel
from narrascope.pipeline import register_analyser

SUPPORTED_LANGUAGES = ("en",)


def default_model_dir() -> Path:
    """The model shipped inside the package."""
    return packaged_model_dir("techniques")


@register_analyser("techniques")
class TechniquesAnalyser:
    """Finds persuasion-technique spans in the content sentences of English documents."""

    name = "techniques"
    requires = (SENTENCES,)
    assigns = (TECHNIQUES,)

    def __init__(self, model_dir: str | Path | None = None):
        self.model_dir = Path(model_dir) if model_dir else default_model_dir()
        self.version = f"1-{model_version(self.model_dir)}"

    @cached_property
    def model(self) -> TechniqueModel:
        """Loaded on first use, so a process that only describes the pipeline never loads it."""
        return TechniqueModel.load(self.model_dir)

    def predict(self, docs: list[Document]) -> list[list[Span] | None]:
        """Spans per document, or ``None`` for a document the model does not cover."""
        return [self._predict_one(doc) if self._covers(doc) else None for doc in docs]

    def set_annotations(self, docs: list[Document], predictions: list[list[Span] | None]) -> None:
        for doc, spans in zip(docs, predictions):
            if spans is None:
                doc.meta["techniques"] = {"skipped": f"model trained on English only; document language is {doc.language!r}"}
                doc.add_spans(TECHNIQUES, [])
            else:
                doc.add_spans(TECHNIQUES, spans)

    @staticmethod
    def _covers(doc: Document) -> bool:
        return doc.language is None or doc.language in SUPPORTED_LANGUAGES

    def _predict_one(self, doc: Document) -> list[Span]:
        sentences = [(s.start, s.end) for s in doc.sentences()]
        return [
            Span(start, end, technique, score=probability)
            for technique, start, end, probability in self.model.predict_spans(doc.text, sentences)
        ]
