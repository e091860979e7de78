"""Split an article into title, body paragraphs, boilerplate blocks and reader comments.

Rules, not a model. Boilerplate is judged sentence by sentence inside short blocks: a sentence is boilerplate when
it carries a strong cue (an appeal to the reader or a legal line: "subscribe", "follow us", "click here", "©",
"all rights reserved"...) or a weak cue ("newsletter", "disclaimer", "terms of use"...) and either addresses the
reader or is a short line. A block whose sentences are all boilerplate is boilerplate, and so is an appeal: a block
with a strong cue whose every sentence addresses the reader. A block that opens or ends with a run of boilerplate
sentences is split there ("...five MiG-29 fighter planes. Read all the latest news here."), and a weak cue in
a reporting sentence ("Hersh wrote in his Substack newsletter") stays body. A reader comment thread starts at a
comments header (``Comments``, ``12 comments``, ``Leave a reply``...) and runs to the end.
"""

from __future__ import annotations

import re

from narrascope.document import SEGMENTS, Document, Span, trim
from narrascope.pipeline import register_analyser

BOILERPLATE_MAX_CHARS = 500
SHORT_LINE_CHARS = 80  # a weak cue on a line this short is a notice, not a reported sentence

_STRONG_CUES = [
    r"\bnote to readers\b", r"\bshare button\b", r"\bcomment on global research\b", r"\bglobal research articles\b",
    r"\bsubscribe\b", r"\bunsubscribe\b", r"\bsubscribing\b", r"\bsign up\b",
    r"\b(join|follow) us\b", r"\blike us on\b", r"\b(email|call|contact|whatsapp) us\b", r"\bour telegram\b",
    r"telegram channel[, ]+(and )?(facebook|rss|viber)",
    r"©", r"\ball rights reserved\b", r"\bthe views expressed\b", r"\bdo not necessarily reflect\b", r"\bclick here\b",
    r"\bsupport (our|independent) (work|journalism)\b", r"\breposted with permission\b", r"\bfeel free to repost\b",
    r"\boriginally published (on|at|by)\b", r"\bread all the latest news\b", r"\bdo not fall for fakes\b",
    r"\bcookies?\b.*\b(accept|consent)\b",
    # Bulgarian, Russian, Portuguese, Hindi cues
    r"абонирайте се", r"последвайте ни", r"подпишитесь", r"подписывайтесь", r"все права защищены", r"всички права запазени",
    r"assine (a|o|nossa)", r"inscreva-se", r"siga-nos", r"todos os direitos reservados",
    r"सब्सक्राइब", r"फॉलो करें", r"सर्वाधिकार सुरक्षित",
]
_WEAK_CUES = [
    r"\bnewsletter\b", r"\bmailing list\b", r"\bcopyright\b", r"\bfair use\b", r"\bterms of (use|service)\b",
    r"\bprivacy policy\b", r"\bdisclaimer\b", r"\bdonate\b", r"\bfeatured image\b", r"\bimage (credit|source)\b",
    r"\bcookies\b",
]
STRONG_CUE = re.compile("|".join(_STRONG_CUES), re.IGNORECASE)
WEAK_CUE = re.compile("|".join(_WEAK_CUES), re.IGNORECASE)
_ADDRESSES_READER = re.compile(
    r"\b(you|your|our|we|(?-i:us))\b"
    r"|^\W*((and|but|so) )?(please|read|get|check|visit|bookmark|share|join|stay|support|follow|subscribe|sign)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?।])[\"'”’»)]*\s+")

_COMMENT_HEADERS = [
    r"comments?", r"\d+\s+comments?", r"\d+\s+responses?", r"leave a (comment|reply)", r"reader comments",
    r"comments \(\d+\)", r"join the discussion", r"discussion",
    r"коментари", r"\d+\s+коментара?", r"комментарии", r"\d+\s+комментари(ев|я|й)", r"comentários", r"\d+\s+comentários",
    r"टिप्पणियाँ", r"कमेंट्स",
]
COMMENT_HEADER_PATTERN = re.compile(r"^\s*(" + "|".join(_COMMENT_HEADERS) + r")\s*:?\s*$", re.IGNORECASE)

_BLOCK = re.compile(r"[^\r\n]+(?:\r?\n(?![ \t\r]*\n)[^\r\n]*)*")  # runs of non-blank lines


def segment(doc: Document) -> list[Span]:
    """Segments covering every non-blank block of ``doc.text``, each labelled title/body/boilerplate/comment."""
    spans: list[Span] = []
    in_comments = False
    title_pending = bool(doc.meta.get("title_in_text"))
    for match in _BLOCK.finditer(doc.text):
        start, end = trim(doc.text, match.start(), match.end())
        if start >= end:
            continue
        block = doc.text[start:end]
        if title_pending:
            first_line_end = doc.text.find("\n", start, end)
            title_end = end if first_line_end == -1 else trim(doc.text, start, first_line_end)[1]
            spans.append(Span(start, title_end, "title"))
            title_pending = False
            if title_end >= end:
                continue
            start, end = trim(doc.text, title_end, end)
            block = doc.text[start:end]
        if not in_comments and COMMENT_HEADER_PATTERN.match(block):
            in_comments = True
        if in_comments:
            spans.append(Span(start, end, "comment"))
        elif len(block) <= BOILERPLATE_MAX_CHARS:
            spans.extend(_body_and_boilerplate(doc.text, start, end))
        else:
            spans.append(Span(start, end, "body"))
    return spans


def is_boilerplate_sentence(sentence: str) -> bool:
    """A strong cue, or a weak cue in a sentence that addresses the reader or is a short line."""
    if STRONG_CUE.search(sentence):
        return True
    return bool(WEAK_CUE.search(sentence)) and (
        len(sentence.strip()) <= SHORT_LINE_CHARS or bool(_ADDRESSES_READER.search(sentence))
    )


def _body_and_boilerplate(text: str, start: int, end: int) -> list[Span]:
    """One short block as a body span and/or boilerplate spans: leading and trailing runs of boilerplate sentences
    are cut off; boilerplate sentences between body sentences stay in the body (no fragmenting)."""
    cuts = [start] + [m.end() for m in _SENTENCE_END.finditer(text, start, end) if m.end() < end] + [end]
    sentences = list(zip(cuts, cuts[1:]))
    flags = [is_boilerplate_sentence(text[a:b]) for a, b in sentences]
    if all(flags) or (STRONG_CUE.search(text, start, end) and
                      all(f or _ADDRESSES_READER.search(text[a:b]) for f, (a, b) in zip(flags, sentences))):
        return [Span(start, end, "boilerplate")]
    lead = next(i for i, f in enumerate(flags) if not f)
    tail = len(flags) - next(i for i, f in enumerate(reversed(flags)) if not f)
    pieces = [(sentences[0][0], sentences[lead][0], "boilerplate"), (sentences[lead][0], sentences[tail - 1][1], "body"),
              (sentences[tail - 1][1], end, "boilerplate")]
    spans = []
    for a, b, kind in pieces:
        a, b = trim(text, a, b)
        if a < b:
            spans.append(Span(a, b, kind))
    return spans


@register_analyser("segmenter")
class Segmenter:
    """Pipeline component writing the ``segments`` layer (kept when ingestion already set it)."""

    name = "segmenter"
    version = "2"
    requires: tuple[str, ...] = ()
    assigns = (SEGMENTS,)

    def predict(self, docs: list[Document]) -> list[list[Span] | None]:
        return [None if doc.spans.get(SEGMENTS) else segment(doc) for doc in docs]

    def set_annotations(self, docs: list[Document], predictions: list[list[Span] | None]) -> None:
        for doc, spans in zip(docs, predictions):
            if spans is not None:
                doc.add_spans(SEGMENTS, spans)
