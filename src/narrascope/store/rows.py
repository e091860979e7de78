"""Documents to and from database rows, and what the store can hold: ids, field widths, the analysis key."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from narrascope.document import ENTITIES, SENTENCES, Document, Label, Span
from narrascope.store.schema import AnnotationRow, DocumentRow

# Layers recomputed on demand rather than stored.
TRANSIENT_LAYERS = frozenset({SENTENCES})

# Column widths both back-ends enforce the same way (SQLite would store longer values; PostgreSQL refuses them).
MAX_ID_CHARS = 255
_LIMITED_FIELDS = {"source": 255, "language": 16}


def analysis_key(content_hash: str, pipeline_signature: str) -> str:
    """What a stored analysis depends on: the text and the pipeline that read it."""
    return f"{content_hash}:{pipeline_signature}"


def storable_problem(doc: Document) -> str | None:
    """Why ``doc`` cannot be stored as it is, identically on SQLite and PostgreSQL, or None.

    PostgreSQL text cannot hold the NUL character and its columns have fixed widths; SQLite would accept both, so
    checking here keeps the two back-ends alike and names the problem instead of failing a whole batch.
    """
    if len(doc.id) > MAX_ID_CHARS:
        return f"document id of {len(doc.id):,} characters is longer than the {MAX_ID_CHARS} the store holds"
    for name, limit in _LIMITED_FIELDS.items():
        value = getattr(doc, name)
        if value is not None and len(value) > limit:
            return f"{name} of {len(value):,} characters is longer than the {limit} the store holds"
    for name in ("id", "title", "text", "source", "url", "language"):
        value = getattr(doc, name)
        if value is not None and "\x00" in value:
            return f"{name} contains a NUL character (U+0000 at position {value.index(chr(0))}), which text cannot hold"
    return None


@dataclass(frozen=True)
class StoredVersion:
    """What the store holds under one id: the analysis key, the text's hash, the file it was read from, and its
    metadata (the set fields of :func:`narrascope.ingest.metadata.metadata_of`, and ``metadata_from``, their
    provenance)."""

    analysis_key: str | None
    content_hash: str
    origin: str | None
    metadata: dict[str, Any] = field(default_factory=dict, compare=False)


def stored_metadata(meta: dict[str, Any], source: str | None, url: str | None,
                    published: date | None) -> dict[str, Any]:
    """The metadata fields a stored document has set (see :class:`StoredVersion`)."""
    values = {"source": source, "url": url, "published": published, "author": meta.get("author"),
              "metadata_from": meta.get("metadata_from")}
    return {k: v for k, v in values.items() if v not in (None, "")}


def lock_key(doc_id: str) -> int:
    """A 64-bit PostgreSQL advisory-lock key for a document id."""
    return int.from_bytes(hashlib.sha256(doc_id.encode()).digest()[:8], "big", signed=True)


def layers_of(doc: Document) -> set[str]:
    """The stored layers a document replaces: those it carries and those its analysers wrote (even if empty)."""
    return (set(doc.spans) | set(doc.cats) | set(doc.produced_by)) - TRANSIENT_LAYERS


def document_row(doc: Document, signature: str, run_id: int | None, now: datetime,
                  produced_by: dict[str, dict[str, str]]) -> dict[str, Any]:
    return {"id": doc.id, "content_hash": doc.content_hash, "title": doc.title, "text": doc.text, "source": doc.source,
            "url": doc.url, "published": doc.published, "language": doc.language, "meta": doc.meta,
            "analysis_key": analysis_key(doc.content_hash, signature), "run_id": run_id, "analysed_at": now,
            "produced_by": produced_by or None}


def annotation_rows(doc: Document) -> Iterable[dict[str, Any]]:
    for layer, spans in doc.spans.items():
        if layer in TRANSIENT_LAYERS:
            continue
        for s in spans:
            attrs = dict(s.attrs)
            entity = attrs.pop("entity", None) if layer == ENTITIES else None
            yield {"document_id": doc.id, "layer": layer, "label": s.label, "start": s.start, "end": s.end,
                   "score": s.score, "entity": entity, "attrs": attrs or None, "possible": False}
    for layer, labels in doc.cats.items():
        for label in labels:
            attrs = {**label.attrs, **({"evidence": [e.to_dict() for e in label.evidence]} if label.evidence else {})}
            yield {"document_id": doc.id, "layer": layer, "label": label.name, "start": None, "end": None,
                   "score": label.score, "entity": None, "attrs": attrs or None, "possible": label.possible}


def to_document(row: DocumentRow, annotations: Iterable[AnnotationRow]) -> Document:
    doc = Document(text=row.text, id=row.id, title=row.title, source=row.source, url=row.url, published=row.published,
                   language=row.language, meta=dict(row.meta or {}), produced_by=dict(row.produced_by or {}))
    for ann in annotations:
        attrs = dict(ann.attrs or {})
        if ann.start is None:
            evidence = [Span.from_dict(e) for e in attrs.pop("evidence", [])]
            doc.cats.setdefault(ann.layer, []).append(Label(ann.label, ann.score or 0.0, evidence, attrs))
        else:
            if ann.entity is not None:
                attrs["entity"] = ann.entity
            end = cast(int, ann.end)  # a span row has both offsets (a label row has neither)
            doc.spans.setdefault(ann.layer, []).append(Span(ann.start, end, ann.label, ann.score, attrs))
    for spans in doc.spans.values():
        spans.sort(key=lambda s: (s.start, s.end))
    return doc
