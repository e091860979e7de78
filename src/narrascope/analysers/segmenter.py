"""Split an article into title, body paragraphs, boilerplate blocks and reader comments.

Rules, not a model. Boilerplate is judged sentence by sentence inside short blocks: a sentence is boilerplate when
it carries a strong cue (an appeal to the reader or a legal line: "subscribe", "follow us", "click here", "©",
"all rights reserved"...) or a weak cue ("newsletter", "disclaimer", "terms of use"...) and either addresses the
reader or is a short line. A block whose sentences are all boilerplate is boilerplate, and so is an appeal: a block
with a strong cue whose every sentence addresses the reader. A block that opens or ends with a run of boilerplate
sentences is split there ("...five MiG-29 fighter planes. Read all the latest news here."), and a weak cue in
a reporting sentence ("Hersh wrote in his Substack newsletter") stays body.

The title is the first line, unless that line is a byline ("By John Smith", "Jane Doe, independent analyst") or just
a date or dateline ("12 March 2024", "MOSCOW, March 12 (Reuters) -"): such lines are boilerplate and the title is
the next line when it is heading-sized (none otherwise). A byline closing the article (the author's sign-off) is
boilerplate too.

A reader-comment thread runs to the end of the text and starts at the earliest of: a comments header (``Comments``,
``12 comments``, ``Leave a reply``...); a numbered or bulleted thread of indented items in the reader's voice ("  1. I
believe...", continuation lines indented further) set off by a blank line and not introduced by a colon; or a tail of
comment chrome: at least two "Reply"/"Like"/"Report" lines, or two timestamp lines that name their writer ("John
Smith · March 12, 2024 at 3:45 pm", or "3 hours ago" under a user-name line; a live blog's bare timestamps do not
count), each within 1,500 characters of the next and of the end. Inside a thread each
comment is one ``comment`` segment: an item with its continuation lines, or everything from a user line up to the
next user line or action line (user and timestamp lines belong to their comment), or (without such structure) each
block; headers, action lines and comment-policy lines are boilerplate. HTML pages come with their comments already found by ingestion (``meta["comment_offsets"]``).
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
    r"(reader )?comments \(\d+\)", r"join the discussion", r"discussion",
    r"коментари", r"\d+\s+коментара?", r"комментарии", r"\d+\s+комментари(ев|я|й)", r"comentários", r"\d+\s+comentários",
    r"टिप्पणियाँ", r"कमेंट्स",
]
COMMENT_HEADER_PATTERN = re.compile(r"^\s*(" + "|".join(_COMMENT_HEADERS) + r")\s*:?\s*$", re.IGNORECASE)
HTML_COMMENTS_HEADER = "Reader comments ({n})"  # the line ingestion puts between an HTML article and its comments
_COMMENT_CHROME = re.compile(
    r"\b(comment policy|comments are (closed|moderated)|(issues|problems|trouble) with commenting|"
    r"(log|sign) in to (comment|reply)|be the first to comment|(post|add|leave) a (comment|reply)|"
    r"load more comments|show more comments|sort by (newest|oldest|best|top))\b", re.IGNORECASE)
_ACTION = (r"(reply|replies|like|likes|dislike|report|report abuse|flag|permalink|upvote|downvote|vote up|vote down|"
           r"reply to this comment|show replies|load more replies|\d+\s+(replies|likes?|upvotes?|points?))")
ACTION_LINE = re.compile(rf"^\W*{_ACTION}(\W+{_ACTION})*\W*$", re.IGNORECASE)

_MONTH = (r"(?i:jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t(ember)?)?|oct(ober)?|"
          r"nov(ember)?|dec(ember)?)\.?")
_DATE = (rf"(\d{{1,2}}(st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}}|{_MONTH}\s+\d{{1,2}}(st|nd|rd|th)?,?\s+\d{{4}}"
         r"|\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{4}-\d{2}-\d{2})")
_TIME = r"\d{1,2}[:.]\d{2}(\s*(?i:[ap]\.?m\.?))?(\s*(GMT|UTC|[A-Z]{2,4}))?"
_STAMP = (rf"((?i:(mon|tues|wednes|thurs|fri|satur|sun)day),?\s+)?({_DATE}(,?\s+((?i:at)\s+)?{_TIME})?"
          rf"|{_TIME}(\s*(·|,|(?i:on))?\s*{_DATE})?|(?i:\d+\s+(second|sec|minute|min|hour|hr|day|week|month|year)s?\s+ago))")
DATE_LINE = re.compile(rf"^\W*((?i:published|updated|posted|last updated)(\s+(?i:on))?:?\s*)?{_STAMP}\s*$")
WIRE_DATELINE = re.compile(rf"^[A-Z][A-Z.'’ -]+(,\s*[A-Z][\w.' -]+)?(,\s*{_MONTH}\s+\d{{1,2}})?\s*(\([\w .&-]+\))?\s*[-–—]+\s*$")
_ROLES = (r"analyst|journalist|correspondent|editor|reporter|columnist|commentator|writer|contributor|professor|"
          r"researcher|expert|blogger|economist|historian|political scientist")
_NAME = r"[A-ZА-Я][\w.'’-]*(\s+[A-ZА-Я][\w.'’-]*){0,3}"  # one to four capitalised words
BYLINE = re.compile(
    rf"^\W*((?i:by|written by|posted by|words by)\s+{_NAME}(\s*(,|and|&|\|)\s*.{{0,60}})?"
    rf"|(?i:author|autor|автор)\s*:\s*\S.{{0,80}}"
    rf"|{_NAME},\s+(an?\s+)?([a-z-]+\s+){{0,3}}({_ROLES})\b[^.!?]{{0,60}})$")  # a lower-case role: not a title
TITLE_MAX_CHARS = 200  # after a byline or dateline, a longer line (or a sentence) is a paragraph, not the title
STAMPED_HEAD = re.compile(rf"^(?![-–—―]|.*\(@\w+\))\s*([^\s.!?].{{0,50}}?\s*(·|\||,|-|–|(?i:on))?\s*)?{_STAMP}"
                          r"\s*((?i:said|says|wrote)\s*)?:?\s*$")
_STAMP_AT_END = re.compile(rf"{_STAMP}\s*((?i:said|says|wrote)\s*)?:?\s*$")
SAYS_HEAD = re.compile(r"^\s*[^\s.!?:][^.!?:]{0,50}?\s+(?i:says|said|wrote|writes|replied)\s*(\.\.\.|…|:.*)?$")
THREAD_ITEM = re.compile(r"^[ \t]+(\d{1,3}[.)]|[-*•])[ \t]+\S")
LIST_ITEM = re.compile(r"^[ \t]*(\d{1,3}[.)]|[-*•])[ \t]+\S")
_INDENTED = re.compile(r"^[ \t]{2,}\S")
_READER_VOICE = re.compile(  # first/second person, the voice of a comment rather than of an article's list
    r"\b(i|i'm|i've|me|my|you|your|we|us|our)\b|(?<!\w)(я|мне|мой|моя|вы|мы|аз|ти|вие|ние|eu|você|nós|мैं|मेरा|आप|हम)(?!\w)",
    re.IGNORECASE)
MAX_COMMENT_CHARS = 1500  # comment chrome further apart than this is not one thread

_BLOCK = re.compile(r"[^\r\n]+(?:\r?\n(?![ \t\r]*\n)[^\r\n]*)*")  # runs of non-blank lines


def segment(doc: Document) -> list[Span]:
    """Segments covering every non-blank block of ``doc.text``, each labelled title/body/boilerplate/comment."""
    text = doc.text
    lines = _lines(text)
    spans: list[Span] = []
    article_from = 0
    if doc.meta.get("title_in_text"):
        spans, article_from = _title_spans(text, lines)
    offsets = doc.meta.get("comment_offsets")
    if offsets:
        thread_from = min(start for start, _ in offsets)
        header = text.rfind(HTML_COMMENTS_HEADER.split("(")[0], 0, thread_from)
        article_end = header if header >= article_from else thread_from
        thread = [Span(start, end, "comment") for start, end in offsets]
        thread += [Span(a, b, "boilerplate") for a, b in _gaps(text, article_end, len(text), thread)]
    else:
        first = next((i for i, (a, _) in enumerate(lines) if a >= article_from), len(lines))
        start_line = _thread_start(text, lines, first)
        article_end = lines[start_line][0] if start_line is not None else len(text)
        thread = _thread_spans(text, lines, start_line) if start_line is not None else []
    article: list[Span] = []
    for match in _BLOCK.finditer(text, article_from, article_end):
        start, end = trim(text, match.start(), match.end())
        if start >= end:
            continue
        if len(text[start:end]) <= BOILERPLATE_MAX_CHARS:
            article.extend(_body_and_boilerplate(text, start, end))
        else:
            article.append(Span(start, end, "body"))
    if article and article[-1].label == "body" and BYLINE.match(doc.quote(article[-1])):
        article[-1] = Span(article[-1].start, article[-1].end, "boilerplate")  # the author's sign-off
    return sorted(spans + article + thread, key=lambda s: s.start)


def title_line(text: str) -> tuple[int, int] | None:
    """Offsets of the title line of a plain-text article: the first line, skipping bylines and datelines."""
    spans, _ = _title_spans(text, _lines(text))
    return next(((s.start, s.end) for s in spans if s.label == "title"), None)


def _title_spans(text: str, lines: list[tuple[int, int]]) -> tuple[list[Span], int]:
    """The title span (and boilerplate spans for bylines/datelines before it), and the offset where the article goes on."""
    spans: list[Span] = []
    for a, b in lines:
        a, b = trim(text, a, b)
        if a >= b:
            continue
        line = text[a:b]
        if BYLINE.match(line) or DATE_LINE.match(line) or WIRE_DATELINE.match(line):
            spans.append(Span(a, b, "boilerplate"))
            continue
        if not spans or (len(line) <= TITLE_MAX_CHARS and not line.endswith(".")):
            return spans + [Span(a, b, "title")], b
        return spans, a
    return spans, len(text)


def _lines(text: str) -> list[tuple[int, int]]:
    """Offsets of every line (without its line break)."""
    out = []
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        out.append((pos, end - 1 if line.endswith("\r") else end))
        pos = end + 1
    return out


def _gaps(text: str, start: int, end: int, spans: list[Span]) -> list[tuple[int, int]]:
    """Non-blank stretches of ``text[start:end]`` that no span covers."""
    out = []
    pos = start
    for span in sorted(spans, key=lambda s: s.start) + [Span(end, end + 1, "")]:
        a, b = trim(text, pos, span.start)
        if a < b:
            out.append((a, b))
        pos = max(pos, span.end)
    return out


def _thread_start(text: str, lines: list[tuple[int, int]], first: int) -> int | None:
    """Index of the line where the reader-comment thread begins, or None."""
    found = [i for i in (_header_start(text, lines, first), _items_start(text, lines, first),
                         _chrome_start(text, lines, first)) if i is not None]
    return min(found) if found else None


def _header_start(text: str, lines: list[tuple[int, int]], first: int) -> int | None:
    """The first comments header opening a block, alone or followed by thread chrome ("Sort by best")."""
    for i in range(first, len(lines)):
        opens_block = i == first or _blank(text, lines[i - 1])
        if opens_block and COMMENT_HEADER_PATTERN.match(_line(text, lines[i])):
            following = next((line for line in lines[i + 1:] if not _blank(text, line)), None)
            if i + 1 == len(lines) or _blank(text, lines[i + 1]) or (following and _is_chrome(_line(text, following))):
                return i
    return None


def _items_start(text: str, lines: list[tuple[int, int]], first: int) -> int | None:
    """The first item of a trailing thread of indented items in the reader's voice (see the module docstring)."""
    i = len(lines) - 1
    while i >= first and (_blank(text, lines[i]) or _is_chrome(_line(text, lines[i]))):
        i -= 1
    items = []
    while i >= first:
        line = _line(text, lines[i])
        if THREAD_ITEM.match(line):
            items.append(i)
        elif line.strip() and not _INDENTED.match(line):
            break
        i -= 1
    items.reverse()
    if len(items) < 2 or not any(_blank(text, lines[k]) for k in range(i + 1, items[0])):
        return None
    if i >= first and _line(text, lines[i]).rstrip().endswith(":"):
        return None  # a list the article introduces
    numbers = [re.match(r"\s*(\d+)", _line(text, lines[k])) for k in items]
    if all(numbers) and [int(m.group(1)) for m in numbers if m] != list(range(1, len(items) + 1)):
        return None
    bounds = items + [len(lines)]
    voiced = sum(bool(_READER_VOICE.search(text, lines[a][0], lines[b - 1][1])) for a, b in zip(bounds, bounds[1:]))
    return items[0] if 2 * voiced >= len(items) else None


def _chrome_start(text: str, lines: list[tuple[int, int]], first: int) -> int | None:
    """The first comment of a trailing run of action lines or user/timestamp lines (at least two of one kind)."""
    marks = []
    for i in range(first, len(lines)):
        line = _line(text, lines[i])
        if ACTION_LINE.match(line):
            marks.append((i, "action"))
        elif STAMPED_HEAD.match(line) and _names_someone(text, lines, first, i):
            marks.append((i, "head"))
    chain: list[tuple[int, str]] = []
    limit = len(text)
    for i, kind in reversed(marks):
        if limit - lines[i][1] > MAX_COMMENT_CHARS:
            break
        chain.insert(0, (i, kind))
        limit = lines[i][0]
    kinds = [kind for _, kind in chain]
    if max(kinds.count("action"), kinds.count("head")) < 2:
        return None
    i, kind = chain[0]
    if kind == "head":  # a user-name line just above the timestamp belongs to the comment
        user_line = lines[i - 1] if i > first else None
        return i - 1 if user_line and not _blank(text, user_line) and len(_line(text, user_line).strip()) <= 60 else i
    start = _block_start(text, lines, first, i - 1)  # the comment the action line closes...
    above = _block_start(text, lines, first, start - 1, last_line=True)
    if above >= first and (SAYS_HEAD.match(_line(text, lines[above])) or STAMPED_HEAD.match(_line(text, lines[above]))):
        return above  # ...and the user line above it
    return start if start > first else None


def _block_start(text: str, lines: list[tuple[int, int]], first: int, i: int, last_line: bool = False) -> int:
    """The first line (or with ``last_line`` the last line) of the nearest block at or above line ``i``."""
    while i > first and _blank(text, lines[i]):
        i -= 1
    while not last_line and i > first and not _blank(text, lines[i - 1]):
        i -= 1
    return i


def _names_someone(text: str, lines: list[tuple[int, int]], first: int, i: int) -> bool:
    """Whether the timestamp line ``i`` names its writer, before the time or on the line just above (a live blog's
    bare timestamps do not)."""
    line = _line(text, lines[i])
    stamp = _STAMP_AT_END.search(line)
    assert stamp is not None, "called only on STAMPED_HEAD lines, whose pattern ends with _STAMP_AT_END"
    if re.search(r"[^\W\d_]", line[: stamp.start()]):
        return True
    above = _line(text, lines[i - 1]).strip() if i > first else ""
    return 0 < len(above) <= 60 and not STAMPED_HEAD.match(above)


def _thread_spans(text: str, lines: list[tuple[int, int]], first: int) -> list[Span]:
    """One comment segment per comment of the thread starting at line ``first``; headers and chrome are boilerplate."""
    region = [_line(text, lines[i]) for i in range(first, len(lines))]
    if sum(bool(LIST_ITEM.match(line) and not STAMPED_HEAD.match(line)) for line in region) >= 2:
        mode = "items"
    elif any(ACTION_LINE.match(line) or STAMPED_HEAD.match(line) or SAYS_HEAD.match(line) for line in region):
        mode = "delimited"
    else:
        mode = "blocks"
    spans: list[Span] = []
    current: list[int] = []  # line indices of the comment being read
    after_blank = False

    def close() -> None:
        if current:
            a, b = trim(text, lines[current[0]][0], lines[current[-1]][1])
            spans.append(Span(a, b, "comment"))
            current.clear()

    for i in range(first, len(lines)):
        line = _line(text, lines[i])
        if not line.strip():
            after_blank = True
            continue
        if _is_chrome(line):
            close()
            a, b = trim(text, *lines[i])
            spans.append(Span(a, b, "boilerplate"))
        else:
            if mode == "items":
                item = LIST_ITEM.match(line) and not STAMPED_HEAD.match(line)
                new = bool(item) or (after_blank and not _INDENTED.match(line))
            elif mode == "delimited":
                new = after_blank and bool(STAMPED_HEAD.match(line) or SAYS_HEAD.match(line))
            else:
                new = after_blank
            if new:
                close()
            current.append(i)
        after_blank = False
    close()
    return spans


def _line(text: str, bounds: tuple[int, int]) -> str:
    return text[bounds[0]:bounds[1]]


def _blank(text: str, bounds: tuple[int, int]) -> bool:
    return not text[bounds[0]:bounds[1]].strip()


def _is_chrome(line: str) -> bool:
    """A comments header, an action line or a comment-policy line."""
    return bool(COMMENT_HEADER_PATTERN.match(line) or ACTION_LINE.match(line) or _COMMENT_CHROME.search(line))


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
class SegmentAnalyser:
    """Pipeline component writing the ``segments`` layer (kept when ingestion already set it)."""

    name = "segmenter"
    version = "3"
    requires: tuple[str, ...] = ()
    assigns = (SEGMENTS,)

    def predict(self, docs: list[Document]) -> list[list[Span] | None]:
        return [None if doc.spans.get(SEGMENTS) else segment(doc) for doc in docs]

    def set_annotations(self, docs: list[Document], predictions: list[list[Span] | None]) -> None:
        for doc, spans in zip(docs, predictions):
            if spans is not None:
                doc.add_spans(SEGMENTS, spans)
