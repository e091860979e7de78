"""The ``narratives`` analyser: narratives and sub-narratives of a document, each with evidence sentences.

Labels come from a :class:`~narrascope.models.narratives.NarrativeModel` (the packaged default, or ``model_dir``).
Evidence for a label is the sentences contributing most to the label's score in the document (its n-grams'
weighted TF-IDF terms, split among the sentences that hold them), up to ``max_evidence`` per label; a span's score
is its share of the label's positive contributions. ``<Narrative>: Other`` shows its narrative's evidence. A
document with no narrative gets one ``Other`` label, without evidence, in both layers.
"""

from __future__ import annotations

from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from narrascope.document import NARRATIVES, SENTENCES, SUBNARRATIVES, Document, Label, Span
from narrascope.models import model_version, packaged_model_dir
from narrascope.models.narratives import OTHER, NarrativeModel
from narrascope.pipeline import register_analyser

__all__ = ["NarrativeAnalyser", "default_model_dir", "load_model"]


def default_model_dir() -> Path:
    """Folder of the packaged default narrative model."""
    return packaged_model_dir("narratives")


@lru_cache(maxsize=4)
def load_model(model_dir: str) -> NarrativeModel:
    """The model in ``model_dir``, loaded once per process."""
    return NarrativeModel.load(Path(model_dir))


Prediction = tuple[list[Label], list[Label]]


@register_analyser("narratives")
class NarrativeAnalyser:
    """Writes ``doc.cats["narratives"]`` and ``doc.cats["subnarratives"]`` with probabilities and evidence."""

    name = "narratives"
    requires = (SENTENCES,)
    assigns = (NARRATIVES, SUBNARRATIVES)

    def __init__(self, model_dir: str | None = None, max_evidence: int = 3):
        self.model_dir = str(Path(model_dir) if model_dir else default_model_dir())
        self.version = f"1-{model_version(self.model_dir)}"
        self.max_evidence = max_evidence

    @cached_property
    def model(self) -> NarrativeModel:
        """Loaded on first use, so a process that only describes the pipeline never loads it."""
        return load_model(self.model_dir)

    def predict(self, docs: list[Document]) -> list[Prediction]:
        if not docs:
            return []
        langs = [doc.language for doc in docs]
        decoded = self.model.predict([doc.content_text() for doc in docs], langs)
        return [self._with_evidence(doc, nars, subs) for doc, (nars, subs) in zip(docs, decoded)]

    def _with_evidence(self, doc: Document, nars: list[tuple[str, float]], subs: list[tuple[str, float]]) -> Prediction:
        if nars and nars[0][0] == OTHER:
            return [Label(OTHER, nars[0][1])], [Label(OTHER, subs[0][1])]
        sentences = doc.sentences()
        classes = {c: i for i, c in enumerate(self.model.classes)}
        wanted = [name for name, _ in nars] + [name for name, _ in subs if name in classes]
        scores = self.model.classifier.sentence_scores(doc.content_text(), doc.language, [doc.quote(s) for s in sentences],
                                                       [classes[name] for name in wanted])
        evidence = {name: self._top(sentences, scores[:, j], name) for j, name in enumerate(wanted)}
        narratives = [Label(name, p, evidence[name]) for name, p in nars]
        subnarratives = []
        for name, p in subs:
            support = evidence.get(name)
            if support is None:  # "<Narrative>: Other": the narrative's own evidence
                parent = name[: -len(f": {OTHER}")]
                support = [Span(s.start, s.end, name, s.score) for s in evidence.get(parent, [])]
            subnarratives.append(Label(name, p, support))
        return narratives, subnarratives

    def _top(self, sentences: list[Span], scores: np.ndarray, label: str) -> list[Span]:
        """The sentences contributing most to the label; a span's score is its share of the positive contributions."""
        positive = np.clip(scores, 0.0, None)
        total = positive.sum()
        order = [i for i in np.argsort(-scores, kind="stable")[: self.max_evidence] if positive[i] > 0]
        return [Span(sentences[i].start, sentences[i].end, label, round(float(positive[i] / total), 4)) for i in order]

    def set_annotations(self, docs: list[Document], predictions: list[Prediction]) -> None:
        for doc, (narratives, subnarratives) in zip(docs, predictions):
            doc.cats[NARRATIVES] = narratives
            doc.cats[SUBNARRATIVES] = subnarratives
