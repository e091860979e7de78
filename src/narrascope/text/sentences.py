"""Sentence splitting shared by the analysers and the models: fast rules, character offsets kept.

:func:`split_sentences` (English, Bulgarian, Hindi, Portuguese, Russian): a sentence ends at ``.``, ``!``, ``?``,
``…`` or the Devanagari danda ``।`` (plus closing quotes/brackets) when whitespace and a non-lowercase character
follow, unless the word before the stop is a known abbreviation or an initial; line breaks always end a sentence.

:func:`sentence_bounds` is a second, cruder splitter (every stop plus whitespace, or a newline) kept because it
defines the mention context the shipped entity-role model was trained on: its spans differ from
:func:`split_sentences` at abbreviations, initials and lower-case continuations, so swapping it would change that
model's features without retraining.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from narrascope.document import trim

__all__ = ["split_sentences", "sentence_boundaries", "sentence_bounds", "starts_sentence"]

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


_BOUNDARY = re.compile(r"(?<=[.!?।])[\"'”’»)]*\s+|\n+")


def sentence_boundaries(text: str) -> tuple[list[int], list[int]]:
    """Starts and ends of the sentence boundaries of a text."""
    starts, ends = [], []
    for m in _BOUNDARY.finditer(text):
        starts.append(m.start())
        ends.append(m.end())
    return starts, ends


def sentence_bounds(text: str, start: int, end: int, boundaries: tuple[list[int], list[int]] | None = None) -> tuple[int, int]:
    """Half-open bounds of the sentence-like stretch around ``[start, end)`` (split at .!?। plus space, or newlines).
    Pass the text's :func:`sentence_boundaries` when asking about many mentions of one text."""
    starts, ends = boundaries or sentence_boundaries(text)
    k = bisect_right(ends, start)  # boundaries ending at or before the mention start
    left = ends[k - 1] if k else 0
    j = bisect_left(starts, end)
    right = starts[j] if j < len(starts) else len(text)
    return left, max(right, end)


def starts_sentence(text: str, start: int) -> bool:
    """Whether the word at ``start`` opens a sentence (nothing before it but an opening quote or bracket after a
    stop, a colon or a line break): its capital says nothing about whether it is a name."""
    before = text[max(0, start - 3) : start].rstrip(" \"'“«„(")
    return not before or before[-1] in ".!?\n:…"
