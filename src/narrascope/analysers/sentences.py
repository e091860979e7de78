"""Sentence splitting for English, Bulgarian, Hindi, Portuguese and Russian: fast rules, offsets kept.

A sentence ends at ``.``, ``!``, ``?``, ``…`` or the Devanagari danda ``।`` (plus closing quotes/brackets) when
whitespace and a non-lowercase character follow, unless the word before the stop is a known abbreviation or an
initial; line breaks always end a sentence. Only title, body and comment segments are split.
"""

from __future__ import annotations

import re

from narrascope.document import SEGMENTS, SENTENCES, Document, Span, trim
from narrascope.pipeline import register_analyser

_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof st sr jr vs etc e.g i.e gen col lt sgt capt gov sen rep rev inc ltd co corp dept
    jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n approx est fig al
    г гг др т.е т.к т.н им ул с стр проф акад ген англ млн млрд тыс руб долл
    sr sra dra av n.º pág""".split()
)
_NUMBER_ABBREVIATIONS = frozenset({"no", "nos", "fig", "art", "p", "pp", "n.º", "№"})  # abbreviations only before a number
_STOP = re.compile(r"[.!?…।]+[\"'”’»)\]]*(?=\s)")
_LINE = re.compile(r"[^\n]+")


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence offsets ``(start, end)`` within ``text[start:end]``, whitespace trimmed."""
    end = len(text) if end is None else end
    out: list[tuple[int, int]] = []
    for line in _LINE.finditer(text, start, end):
        sent_start = line.start()
        for stop in _STOP.finditer(text, line.start(), line.end()):
            if _is_boundary(text, sent_start, stop.start(), stop.end(), line.end()):
                _add(text, sent_start, stop.end(), out)
                sent_start = stop.end()
        _add(text, sent_start, line.end(), out)
    return out


def _is_boundary(text: str, sent_start: int, stop_start: int, stop_end: int, line_end: int) -> bool:
    if text[stop_start] == ".":
        word = re.search(r"([\w.]+)$", text[sent_start:stop_start])
        if word:
            token = word.group(1).lower()
            if token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
                return False
            if token in _NUMBER_ABBREVIATIONS and text[stop_end:line_end].lstrip()[:1].isdigit():
                return False
    following = text[stop_end:line_end].lstrip()
    return not following or not following[0].islower()


def _add(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    start, end = trim(text, start, end)
    if start < end:
        out.append((start, end))


@register_analyser("sentences")
class Sentencizer:
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
