"""Split an article into title, body paragraphs, boilerplate blocks and reader comments.

Rules, not a model: boilerplate is a short block that matches one of the promotional/legal cues below; a reader
comment thread starts at a comments header (``Comments``, ``12 comments``, ``Leave a reply``...) and runs to the end.
"""

from __future__ import annotations

import re

from narrascope.document import SEGMENTS, Document, Span, trim
from narrascope.pipeline import register_analyser

BOILERPLATE_MAX_CHARS = 500

_BOILERPLATE_CUES = [
    r"\bnote to readers\b", r"\bshare button\b", r"\bcomment on global research\b", r"\bglobal research articles\b",
    r"\bsubscribe\b", r"\bunsubscribe\b", r"\bnewsletter\b", r"\bmailing list\b", r"\bsign up\b",
    r"\b(join|follow) us\b", r"\blike us on\b", r"\bfollow us on\b", r"\bour telegram\b", r"telegram channel[, ]+(facebook|rss|viber)",
    r"\bcopyright\b", r"©", r"\ball rights reserved\b", r"\bfair use\b", r"\bterms of (use|service)\b", r"\bprivacy policy\b",
    r"\bdisclaimer\b", r"\bthe views expressed\b", r"\bdo not necessarily reflect\b", r"\bclick here\b", r"\bdonate\b",
    r"\bsupport (our|independent) (work|journalism)\b", r"\breposted with permission\b", r"\bfeel free to repost\b",
    r"\boriginally published (on|at|by)\b", r"\bread all the latest news\b", r"\bdo not fall for fakes\b",
    r"\bcookies?\b.*\b(accept|consent)\b", r"\bfeatured image\b", r"\bimage (credit|source)\b",
    # Bulgarian, Russian, Portuguese, Hindi cues
    r"абонирайте се", r"последвайте ни", r"подпишитесь", r"подписывайтесь", r"все права защищены", r"всички права запазени",
    r"assine (a|o|nossa)", r"inscreva-se", r"siga-nos", r"todos os direitos reservados",
    r"सब्सक्राइब", r"फॉलो करें", r"सर्वाधिकार सुरक्षित",
]
BOILERPLATE_PATTERN = re.compile("|".join(_BOILERPLATE_CUES), re.IGNORECASE)

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
            kind = "comment"
        elif len(block) <= BOILERPLATE_MAX_CHARS and BOILERPLATE_PATTERN.search(block):
            kind = "boilerplate"
        else:
            kind = "body"
        spans.append(Span(start, end, kind))
    return spans


@register_analyser("segmenter")
class Segmenter:
    """Pipeline component writing the ``segments`` layer (kept when ingestion already set it)."""

    name = "segmenter"
    version = "1"
    requires: tuple[str, ...] = ()
    assigns = (SEGMENTS,)

    def predict(self, docs: list[Document]) -> list[list[Span] | None]:
        return [None if doc.spans.get(SEGMENTS) else segment(doc) for doc in docs]

    def set_annotations(self, docs: list[Document], predictions: list[list[Span] | None]) -> None:
        for doc, spans in zip(docs, predictions):
            if spans is not None:
                doc.add_spans(SEGMENTS, spans)
