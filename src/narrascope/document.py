"""The document model: one original text plus layers of annotations that point into it.

Every offset in narrascope is a character offset into ``Document.text``, half-open (``text[start:end]``),
so evidence can always be quoted exactly. Analysers never modify the text; they add layers.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date
from typing import Any

# Layer names used across the project (analysers may add others).
SEGMENTS = "segments"  # title / body / boilerplate / comment blocks
SENTENCES = "sentences"
NARRATIVES = "narratives"  # document-level labels (coarse)
SUBNARRATIVES = "subnarratives"  # document-level labels (fine)
COMMENT_NARRATIVES = "comment_narratives"  # narratives found in the reader comments, apart from the article's
ENTITIES = "entities"  # entity mentions with roles
TECHNIQUES = "techniques"  # persuasion-technique spans

SEGMENT_KINDS = ("title", "body", "boilerplate", "comment")


@dataclass(frozen=True)
class Span:
    """A labelled character range ``[start, end)`` of the original text."""

    start: int
    end: int
    label: str
    score: float | None = None
    attrs: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if not (0 <= self.start < self.end):
            raise ValueError(f"invalid span [{self.start}, {self.end}) for label {self.label!r}")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"start": self.start, "end": self.end, "label": self.label}
        if self.score is not None:
            out["score"] = round(float(self.score), 6)
        if self.attrs:
            out["attrs"] = self.attrs
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Span:
        return cls(int(data["start"]), int(data["end"]), str(data["label"]), data.get("score"), data.get("attrs") or {})


@dataclass
class Label:
    """A document-level label (e.g. a narrative) with its probability and the spans that support it.

    ``attrs`` may carry a ``display_threshold``: below it the label is only *possible* (shown on request).
    """

    name: str
    score: float
    evidence: list[Span] = field(default_factory=list)
    attrs: dict[str, Any] = field(default_factory=dict)

    @property
    def possible(self) -> bool:
        """Whether the label scores below its display threshold: too weak to show as a finding by default (never once
        a reviewer kept it)."""
        if self.attrs.get("review") == "reviewed":
            return False
        return self.score < float(self.attrs.get("display_threshold", 0.0))

    def to_dict(self) -> dict[str, Any]:
        out = {"name": self.name, "score": round(float(self.score), 6), "evidence": [s.to_dict() for s in self.evidence]}
        if self.attrs:
            out["attrs"] = self.attrs
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Label:
        return cls(data["name"], float(data["score"]), [Span.from_dict(s) for s in data.get("evidence", [])],
                   data.get("attrs") or {})


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` narrowed to exclude leading and trailing whitespace (empty when only whitespace)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def content_hash(text: str) -> str:
    """Stable identity of a text: sha256 of its UTF-8 bytes (first 16 hex digits)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass
class Document:
    """An article: the untouched original ``text``, its metadata, and the annotation layers analysers add.

    ``spans`` holds span layers keyed by layer name (``segments``, ``sentences``, ``entities``, ``techniques``);
    ``cats`` holds document-level label layers (``narratives``, ``subnarratives``, ``comment_narratives``);
    ``produced_by`` names the analyser and version that wrote each layer
    (``{layer: {"analyser": name, "version": version}}``).
    """

    text: str
    id: str = ""
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: date | None = None
    language: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    spans: dict[str, list[Span]] = field(default_factory=dict)
    cats: dict[str, list[Label]] = field(default_factory=dict)
    produced_by: dict[str, dict[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.id:
            self.id = content_hash(self.text)

    @property
    def content_hash(self) -> str:
        return content_hash(self.text)

    def quote(self, span: Span) -> str:
        """The exact text a span covers."""
        return self.text[span.start : span.end]

    def add_spans(self, layer: str, spans: list[Span]) -> None:
        """Set a span layer, refusing spans that do not fit the text."""
        for span in spans:
            if span.end > len(self.text):
                raise ValueError(f"span [{span.start}, {span.end}) outside document {self.id} of length {len(self.text)}")
        self.spans[layer] = sorted(spans, key=lambda s: (s.start, s.end))

    def content_segments(self, *, include_comments: bool = False) -> list[Span]:
        """Segments an analyser reads by default: title and body (and reader comments when asked)."""
        kinds = {"title", "body"} | ({"comment"} if include_comments else set())
        segments = self.spans.get(SEGMENTS)
        if not segments:
            return [Span(0, len(self.text), "body")] if self.text else []
        return [s for s in segments if s.label in kinds]

    def comments(self) -> list[Span]:
        """The reader-comment segments, in text order (segments are kept sorted)."""
        return [s for s in self.spans.get(SEGMENTS, []) if s.label == "comment"]

    def possible_labels(self) -> int:
        """How many document-level labels are only *possible* (below their display threshold), in every layer."""
        return sum(label.possible for labels in self.cats.values() for label in labels)

    def comment_threads(self) -> list[tuple[int, int]]:
        """Character ranges of the reader-comment threads (a first comment to the last one reached through comments
        and boilerplate only), so that displays can set the readers apart from the article."""
        ranges: list[tuple[int, int]] = []
        open_thread = False
        for seg in sorted(self.spans.get(SEGMENTS, []), key=lambda s: s.start):
            if seg.label == "comment":
                if open_thread:
                    ranges[-1] = (ranges[-1][0], seg.end)
                else:
                    ranges.append((seg.start, seg.end))
                open_thread = True
            elif seg.label != "boilerplate":
                open_thread = False
        return ranges

    def content_text(self, *, include_comments: bool = False) -> str:
        """Title (when not part of the text) plus the content segments, joined by blank lines."""
        parts = [self.quote(s) for s in self.content_segments(include_comments=include_comments)]
        if self.title and not any(s.label == "title" for s in self.spans.get(SEGMENTS, [])):
            parts.insert(0, self.title)
        return "\n\n".join(parts)

    def sentences(self, *, include_comments: bool = False) -> list[Span]:
        """Sentences inside the content segments."""
        allowed = sorted((a.start, a.end) for a in self.content_segments(include_comments=include_comments))
        starts = [a for a, _ in allowed]
        out = []
        for s in self.spans.get(SENTENCES, []):  # the segment starting last at or before the sentence (linear cost)
            k = bisect_right(starts, s.start) - 1
            if k >= 0 and s.end <= allowed[k][1]:
                out.append(s)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "source": self.source,
            "url": self.url,
            "published": self.published.isoformat() if self.published else None,
            "language": self.language,
            "meta": self.meta,
            "text": self.text,
            "spans": {k: [s.to_dict() for s in v] for k, v in self.spans.items()},
            "cats": {k: [label.to_dict() for label in v] for k, v in self.cats.items()},
            "produced_by": self.produced_by,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        published = data.get("published")
        return cls(
            text=data["text"],
            id=data.get("id") or "",
            title=data.get("title"),
            source=data.get("source"),
            url=data.get("url"),
            published=date.fromisoformat(published) if published else None,
            language=data.get("language"),
            meta=data.get("meta") or {},
            spans={k: [Span.from_dict(s) for s in v] for k, v in (data.get("spans") or {}).items()},
            cats={k: [Label.from_dict(x) for x in v] for k, v in (data.get("cats") or {}).items()},
            produced_by=data.get("produced_by") or {},
        )
