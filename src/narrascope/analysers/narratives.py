"""The ``narratives`` analyser: the article's narratives and sub-narratives, each with evidence sentences, and the
narratives of its reader comments as a layer of their own.

Labels come from a :class:`~narrascope.models.narratives.NarrativeModel` (the packaged default, or ``model_dir``).
The article is read from its title and body sentences only (and the title from metadata when the text has
none): the model scores each sentence and pools the scores into the document decision, so the evidence for a
label is the sentences that scored highest for it, up to ``max_evidence``; a span's score is its weight in the
pool (the sentences' weights sum to 1). ``<Narrative>: Other`` shows its narrative's evidence. A document with no
narrative gets one ``Other`` label, without evidence.

Reader comments (``comment`` segments) never feed the article's labels. Each comment is decided on its own from
its sentences, pooled the same way, and ``doc.cats["comment_narratives"]`` gets every narrative some comment carries, at
the highest probability a comment gives it (narratives only, with comment sentences as evidence and the number of
comments carrying it in ``attrs``), empty when the document has no comment.

Every label carries the model's display threshold in ``attrs``; a label scoring below it is only *possible*
(:attr:`narrascope.document.Label.possible`), hidden by default where labels are shown.
"""

from __future__ import annotations

import re
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from narrascope.document import (
    COMMENT_NARRATIVES,
    NARRATIVES,
    SEGMENTS,
    SENTENCES,
    SUBNARRATIVES,
    Document,
    Label,
    Span,
)
from narrascope.models import model_version, packaged_model_dir
from narrascope.models.narratives import OTHER, NarrativeModel
from narrascope.models.versions import active_dir
from narrascope.pipeline import register_analyser
from narrascope.text.sentences import split_sentences

__all__ = ["NarrativeAnalyser", "default_model_dir", "load_model"]


def default_model_dir() -> Path:
    """Folder of the active narrative model version (see :mod:`narrascope.models.versions`), else the packaged
    default."""
    return active_dir("narratives") or packaged_model_dir("narratives")


@lru_cache(maxsize=4)
def load_model(model_dir: str) -> NarrativeModel:
    """The model in ``model_dir``, loaded once per process."""
    return NarrativeModel.load(Path(model_dir))


_LIST_MARKER = re.compile(r"\s*(?:\d{1,3}[.)]|[-*\u2022])\s+")
Prediction = tuple[list[Label], list[Label], list[Label]]
Decoded = tuple[list[tuple[str, float]], list[tuple[str, float]]]


@register_analyser("narratives")
class NarrativeAnalyser:
    """Writes ``doc.cats`` ``narratives``, ``subnarratives`` and ``comment_narratives`` with probabilities and evidence."""

    name = "narratives"
    code_version = "3"  # the version is this plus the model's; bumped when the code changes its output
    requires = (SENTENCES,)
    assigns = (NARRATIVES, SUBNARRATIVES, COMMENT_NARRATIVES)

    def __init__(self, model_dir: str | None = None, max_evidence: int = 3):
        self.model_dir = str(Path(model_dir) if model_dir else default_model_dir())
        self.version = f"{self.code_version}-{model_version(self.model_dir)}"
        self.max_evidence = max_evidence

    @cached_property
    def model(self) -> NarrativeModel:
        """Loaded on first use, so a process that only describes the pipeline never loads it."""
        return load_model(self.model_dir)

    def predict(self, docs: list[Document]) -> list[Prediction]:
        if not docs:
            return []
        langs = [doc.language for doc in docs]
        article = [_article(doc) for doc in docs]
        decoded = self.model.predict([text for text, _ in article], langs,
                                     [[(s.start, s.end) for s in ss] for _, ss in article])
        comments = [(i, sentences) for i, doc in enumerate(docs) for sentences in _comment_sentences(doc)]
        decoded_comments = self.model.predict([docs[i].text for i, _ in comments], [langs[i] for i, _ in comments],
                                              [[(s.start, s.end) for s in ss] for _, ss in comments]) if comments else []
        by_doc: dict[int, list[tuple[list[Span], Decoded]]] = {}
        for (i, sentences), answer in zip(comments, decoded_comments):
            by_doc.setdefault(i, []).append((sentences, answer))
        out = []
        for i, doc in enumerate(docs):
            narratives, subnarratives = self._with_evidence(doc, *article[i], decoded[i])
            out.append((narratives, subnarratives, self._readers(doc, by_doc.get(i, []))))
        return out

    def _readers(self, doc: Document, comments: list[tuple[list[Span], Decoded]]) -> list[Label]:
        """The comment layer: each comment is decided on its own (a thread pooled as one text lets neutral comments
        hide the narrative of another), and a narrative's probability is the highest any comment gives it.

        Its evidence is the best sentence of each comment carrying it, most probable comment first; ``attrs``
        ``comments`` counts the comments that give it at least the display threshold. With no comment carrying a narrative, one ``Other`` label scores the
        least ``Other``-like comment.
        """
        if not comments:
            return []
        carried: dict[str, list[tuple[float, list[Span]]]] = {}
        other = 1.0
        for sentences, answer in comments:
            for label in self._with_evidence(doc, doc.text, sentences, answer)[0]:
                if label.name == OTHER:
                    other = min(other, label.score)
                else:
                    carried.setdefault(label.name, []).append((label.score, label.evidence[:1]))
        if not carried:
            return [Label(OTHER, other)]
        shown = _threshold(self.model.display_thresholds, NARRATIVES)
        readers = []
        for name, found in carried.items():
            found.sort(key=lambda item: -item[0])
            evidence = [span for _, best in found for span in best][: self.max_evidence]
            clear = sum(p >= shown.get("display_threshold", 0.0) for p, _ in found)
            readers.append(Label(name, found[0][0], evidence, {**shown, "comments": clear}))
        return sorted(readers, key=lambda label: -label.score)

    def _with_evidence(self, doc: Document, text: str, sentences: list[Span], decoded: Decoded,
                       ) -> tuple[list[Label], list[Label]]:
        """Labels with their evidence: the sentences of ``text`` (the document's, perhaps with its title after it)
        that scored highest; a sentence outside the document text (the title from metadata) counts, unquoted."""
        nars, subs = decoded
        if nars and nars[0][0] == OTHER:
            return [Label(OTHER, nars[0][1])], [Label(OTHER, subs[0][1])]
        classes = {c: i for i, c in enumerate(self.model.classes)}
        wanted = [name for name, _ in nars] + [name for name, _ in subs if name in classes]
        scores = self.model.classifier.sentence_scores(text, doc.language, [(s.start, s.end) for s in sentences],
                                                       [classes[name] for name in wanted])
        evidence = {name: [span for span in self._top(sentences, scores[:, j], name) if span.end <= len(doc.text)]
                    for j, name in enumerate(wanted)}
        shown = self.model.display_thresholds
        narratives = [Label(name, p, evidence[name], _threshold(shown, NARRATIVES)) for name, p in nars]
        subnarratives = []
        for name, p in subs:
            support = evidence.get(name)
            if support is None:  # "<Narrative>: Other": the narrative's own evidence
                parent = name[: -len(f": {OTHER}")]
                support = [Span(s.start, s.end, name, s.score) for s in evidence.get(parent, [])]
            subnarratives.append(Label(name, p, support, _threshold(shown, SUBNARRATIVES)))
        return narratives, subnarratives

    def _top(self, sentences: list[Span], scores: np.ndarray, label: str) -> list[Span]:
        """The sentences that weigh most in the label's pooled score; a span's score is its weight in the pool."""
        finite = np.isfinite(scores)
        if not finite.any():
            return []
        temperature = max(float(getattr(self.model.classifier, "temperature", 1.0)), 1e-6)
        weights = np.where(finite, np.exp((np.where(finite, scores, 0.0) - scores[finite].max()) / temperature), 0.0)
        weights /= weights.sum()
        order = [i for i in np.argsort(-np.where(finite, scores, -np.inf), kind="stable")[: self.max_evidence] if finite[i]]
        return [Span(sentences[i].start, sentences[i].end, label, round(float(weights[i]), 4)) for i in order]

    def set_annotations(self, docs: list[Document], predictions: list[Prediction]) -> None:
        for doc, (narratives, subnarratives, reader) in zip(docs, predictions):
            doc.cats[NARRATIVES] = narratives
            doc.cats[SUBNARRATIVES] = subnarratives
            doc.cats[COMMENT_NARRATIVES] = reader


def _article(doc: Document) -> tuple[str, list[Span]]:
    """The text the article is scored on and its sentences in reading order: title and body sentences, or, when the
    text has no title segment, the title from metadata first (its text appended after the document's, so every other
    offset still points into ``doc.text``) and then the body."""
    sentences = doc.sentences()
    if not doc.title or any(s.label == "title" for s in doc.spans.get(SEGMENTS, [])):
        return doc.text, sentences
    start = len(doc.text) + 2
    return f"{doc.text}\n\n{doc.title}", [Span(start, start + len(doc.title), "title")] + sentences


def _comment_sentences(doc: Document) -> list[list[Span]]:
    """The sentences of each reader comment, one list per comment: split within the comment with its wrapped lines
    read as one line (a comment's continuation lines do not end a sentence) and its list marker ("1.", "-") left out."""
    out = []
    for comment in doc.comments():
        marker = _LIST_MARKER.match(doc.text, comment.start, comment.end)
        start = marker.end() if marker else comment.start
        unwrapped = doc.text[start : comment.end].replace("\n", " ")  # same length: offsets still hold
        sentences = [Span(start + a, start + b, "sentence") for a, b in split_sentences(unwrapped)]
        if sentences:
            out.append(sentences)
    return out


def _threshold(thresholds: dict[str, float], layer: str) -> dict[str, float]:
    return {"display_threshold": thresholds[layer]} if layer in thresholds else {}
