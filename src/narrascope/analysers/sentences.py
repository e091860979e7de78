"""The ``sentences`` layer: title, body and comment segments split by :func:`narrascope.text.sentences.split_sentences`.
"""

from __future__ import annotations

from narrascope.document import SEGMENTS, SENTENCES, Document, Span
from narrascope.pipeline import register_analyser
from narrascope.text.sentences import split_sentences

__all__ = ["SentenceAnalyser", "split_sentences"]


@register_analyser("sentences")
class SentenceAnalyser:
    """Writes the ``sentences`` layer inside the title, body and comment segments."""

    name = "sentences"
    version = "1"
    requires = (SEGMENTS,)
    assigns = (SENTENCES,)

    def predict(self, docs: list[Document]) -> list[list[Span]]:
        return [
            [Span(s, e, "sentence") for seg in doc.content_segments(include_comments=True) for s, e in
             split_sentences(doc.text, seg.start, seg.end)]
            for doc in docs
        ]

    def set_annotations(self, docs: list[Document], predictions: list[list[Span]]) -> None:
        for doc, spans in zip(docs, predictions):
            doc.add_spans(SENTENCES, spans)
