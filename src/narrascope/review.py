"""The review loop's service functions: record a reviewer's correction after checking it against the document and
the taxonomies, and rank documents by how much they need a human. The CLI, the REST API and the web UI all call
these; the effective view itself ("reviewed where available, else predicted") is in :mod:`narrascope.store.review`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from narrascope.document import ENTITIES, NARRATIVES, SUBNARRATIVES, Document, Label
from narrascope.semeval import SemevalDocument
from narrascope.semeval.subtask1 import MentionRow
from narrascope.store import DocumentFilter, Store
from narrascope.store.review import ACTIONS, EVIDENCE, LABEL_LAYERS, Correction, entity_key
from narrascope.store.schema import AnnotationRow, DocumentRow
from narrascope.taxonomy import load_entity_roles, load_taxonomy

if TYPE_CHECKING:  # the entity trainer loads scikit-learn; review commands stay light without it
    from narrascope.models.entity_training import LabelledMention

__all__ = ["ReviewError", "correct", "default_reviewer", "QueueItem", "review_queue", "LOW_CONFIDENCE",
           "reviewed_documents", "reviewed_mentions"]

LOW_CONFIDENCE = 0.5  # a shown label scored below this is worth a human look


class ReviewError(ValueError):
    """A correction that cannot apply to the document (unknown label, span outside the text, ...)."""


def default_reviewer() -> str:
    """``$NARRASCOPE_REVIEWER``, else the login name, else ``anonymous``."""
    return os.environ.get("NARRASCOPE_REVIEWER") or os.environ.get("USER") or "anonymous"


def _model_output(doc: Document, layer: str, label: Label | None) -> dict[str, Any] | None:
    if label is None:
        return None
    made_by = doc.produced_by.get(layer) or {}
    return {"label": label.name, "score": round(float(label.score), 6), "analyser": made_by.get("analyser"),
            "version": made_by.get("version")}


def correct(store: Store, doc_id: str, layer: str, action: str, target: str, *, start: int | None = None,
            end: int | None = None, role: str | None = None, fine_roles: Iterable[str] = (),
            reviewer: str | None = None) -> Correction:
    """Check one correction against the stored document and store it (see :mod:`narrascope.store.review` for what
    each action means); :class:`ReviewError` says why one cannot apply."""
    predicted = store.get(doc_id, predicted=True)
    if predicted is None:
        raise ReviewError(f"no document with id {doc_id!r}")
    if layer not in ACTIONS:
        raise ReviewError(f"unknown layer {layer!r}; one of {', '.join(ACTIONS)}")
    if action not in ACTIONS[layer]:
        raise ReviewError(f"action {action!r} does not apply to {layer}; one of {', '.join(ACTIONS[layer])}")
    correction = Correction(doc_id, layer, target, action, reviewer=(reviewer or default_reviewer())[:255],
                            content_hash=predicted.content_hash)
    if layer in LABEL_LAYERS:
        _check_label(predicted, store, correction)
    elif layer == EVIDENCE:
        _check_evidence(predicted, store, correction, start, end)
    else:
        _check_role(predicted, correction, role, list(fine_roles))
    return store.add_correction(correction)


def _check_label(doc: Document, store: Store, c: Correction) -> None:
    taxonomy = load_taxonomy()
    known = taxonomy.narratives if c.layer == NARRATIVES else taxonomy.subnarratives
    label = next((lab for lab in doc.cats.get(c.layer, []) if lab.name == c.target), None)
    if label is None and c.target not in known:
        raise ReviewError(f"{c.target!r} is not a {c.layer[:-1]} of the taxonomy")
    if label is None and c.action == "reject":
        effective = store.get(c.document_id) or doc  # the reviewed view (doc itself if removed meanwhile)
        if not any(lab.name == c.target for lab in effective.cats.get(c.layer, [])):
            raise ReviewError(f"{c.target!r} is not a label of document {c.document_id!r}; nothing to reject")
    c.label = c.target
    c.replaced = _model_output(doc, c.layer, label)


def _check_evidence(doc: Document, store: Store, c: Correction, start: int | None, end: int | None) -> None:
    if start is None or end is None or not 0 <= start < end <= len(doc.text):
        raise ReviewError(f"evidence span [{start}, {end}) is not inside the text of {len(doc.text)} characters")
    effective = store.get(c.document_id) or doc  # the reviewed view (doc itself if removed meanwhile)
    layer = next((layer for layer in LABEL_LAYERS if any(lab.name == c.target for lab in effective.cats.get(layer, []))),
                 None)
    if layer is None:
        raise ReviewError(f"{c.target!r} is not a label of document {c.document_id!r}")
    label = next((lab for lab in doc.cats.get(layer, []) if lab.name == c.target), None)
    evidence = {(e.start, e.end) for e in label.evidence} if label else set()
    if c.action == "mark-evidence-wrong" and (start, end) not in evidence and not _picked(store, c, start, end):
        raise ReviewError(f"[{start}, {end}) is not an evidence span of {c.target!r}")
    c.start, c.end, c.label = start, end, c.target
    c.value = {"text": doc.text[start:end][:500]}
    c.replaced = _model_output(doc, layer, label)


def _picked(store: Store, c: Correction, start: int, end: int) -> bool:
    """Whether a reviewer picked this span as evidence before (it may be marked wrong in turn)."""
    return any(p.layer == EVIDENCE and p.action == "pick-evidence" and (p.start, p.end) == (start, end)
               and p.target == c.target for p in store.corrections([c.document_id]).get(c.document_id, []))


def _check_role(doc: Document, c: Correction, role: str | None, fine_roles: list[str]) -> None:
    roles = load_entity_roles()
    mentions = [s for s in doc.spans.get(ENTITIES, []) if entity_key(doc, s) == c.target]
    if not mentions:
        raise ReviewError(f"no entity {c.target!r} in document {c.document_id!r}")
    if role not in roles.main_roles:
        raise ReviewError(f"main role {role!r} is not one of {', '.join(roles.main_roles)}")
    wrong = [f for f in fine_roles if f not in roles.fine_roles_of(role)]
    if wrong:
        raise ReviewError(f"fine role(s) {', '.join(map(repr, wrong))} are not roles of a {role}")
    best = max(mentions, key=lambda s: s.score or 0.0)
    made_by = doc.produced_by.get(ENTITIES) or {}
    c.label = role
    c.value = {"fine_roles": fine_roles, "entity": str(best.attrs.get("entity") or doc.quote(best))}
    fine = best.attrs.get("fine_roles") or []
    c.replaced = {"label": best.label, "fine_roles": sorted(fine, key=lambda f: -fine[f]) if isinstance(fine, dict)
                  else list(fine), "score": best.score, "analyser": made_by.get("analyser"),
                  "version": made_by.get("version")}


@dataclass
class QueueItem:
    """A document waiting for review, with why: conflicts, low-confidence and possible-only labels."""

    id: str
    title: str | None
    source: str | None
    language: str | None
    state: str
    conflicts: list[str] = field(default_factory=list)
    low_confidence: list[str] = field(default_factory=list)
    possible: list[str] = field(default_factory=list)

    def need(self) -> tuple[bool, int, int, int]:
        """Sort key, most needing first: not yet fully reviewed, conflicts, low-confidence labels, possible-only
        ones."""
        return (self.state == "reviewed", -len(self.conflicts), -len(self.low_confidence), -len(self.possible))

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "source": self.source, "language": self.language,
                "state": self.state, "conflicts": self.conflicts, "low_confidence": self.low_confidence,
                "possible": self.possible}


def review_queue(store: Store, flt: DocumentFilter | None = None, *, limit: int = 50,
                 include_reviewed: bool = False) -> list[QueueItem]:
    """Documents matching ``flt`` that are not fully reviewed, most needing a human first.

    Conflicts: a sub-narrative without its narrative, ``Other`` beside a narrative, one entity cast in opposite main
    roles; low confidence: a shown label scored below :data:`LOW_CONFIDENCE`; possible: labels only below their
    display threshold. Documents with none of these come after, in id order; reviewed ones (only with
    ``include_reviewed``) last.
    """
    flt = DocumentFilter(**{**vars(flt or DocumentFilter()), "possible": True, "predicted": True})
    docs = store.filtered_query(flt).with_only_columns(DocumentRow.id, DocumentRow.title, DocumentRow.source,
                                                       DocumentRow.language).subquery()
    A = AnnotationRow
    rows = select(docs.c.id, docs.c.title, docs.c.source, docs.c.language, A.layer, A.label, A.score, A.possible,
                  A.attrs, A.entity).outerjoin(A, (A.document_id == docs.c.id) & A.layer.in_(
                      (NARRATIVES, SUBNARRATIVES, ENTITIES))).order_by(docs.c.id)
    items: dict[str, QueueItem] = {}
    labels: dict[str, dict[str, set[str]]] = {}
    roles: dict[str, dict[str, set[str]]] = {}
    with store.engine.connect() as connection:
        for doc_id, title, source, language, layer, label, score, possible, attrs, entity in connection.execute(rows):
            item = items.setdefault(doc_id, QueueItem(doc_id, title, source, language, "unreviewed"))
            if layer == ENTITIES:
                key = str((attrs or {}).get("entity_id") or entity)
                roles.setdefault(doc_id, {}).setdefault(key, set()).add(label)
            elif layer:
                labels.setdefault(doc_id, {}).setdefault(layer, set()).add(label)
                if possible:
                    item.possible.append(label)
                elif (score or 0.0) < LOW_CONFIDENCE:
                    item.low_confidence.append(label)
        decided = {d: {(c.layer, c.target) for c in cs} for d, cs in store.corrections(items).items()}
    out = []
    for doc_id, item in items.items():
        shown = labels.get(doc_id, {})
        narratives, subs = shown.get(NARRATIVES, set()), shown.get(SUBNARRATIVES, set())
        item.conflicts += [f"{s} without its narrative" for s in sorted(subs) if s.rsplit(":", 1)[0] not in narratives
                           and ":" in s]
        if "Other" in narratives and len(narratives) > 1:
            item.conflicts.append("Other beside a narrative")
        item.conflicts += [f"{e} cast as {' and '.join(sorted(r - {'unclear'}))}"
                           for e, r in sorted(roles.get(doc_id, {}).items()) if len(r - {"unclear"}) > 1]
        if doc_id in decided:
            decided_names = {target for _, target in decided[doc_id]}
            item.possible = [n for n in item.possible if n not in decided_names]
            item.low_confidence = [n for n in item.low_confidence if n not in decided_names]
            predicted = {(layer, name) for layer, names in shown.items() for name in names}
            item.state = "reviewed" if predicted <= decided[doc_id] else "partly reviewed"
            if item.state == "reviewed" and not include_reviewed:
                continue
        out.append(item)
    out.sort(key=lambda i: (*i.need(), i.id))
    return out[:limit]



def reviewed_documents(store: Store, flt: DocumentFilter | None = None) -> list[SemevalDocument]:
    """Documents a reviewer corrected (a narrative or sub-narrative decision), as training or evaluation documents
    with their reviewed labels: reviewed where decided, else predicted (shown labels only); ``Other`` when none."""
    decided = {doc_id for doc_id, cs in store.corrections().items() if any(c.layer in LABEL_LAYERS for c in cs)}
    out = []
    for doc in store.iter_documents(DocumentFilter(**{**vars(flt or DocumentFilter()), "predicted": False})):
        if doc.id not in decided:
            continue
        narratives = [lab.name for lab in doc.cats.get(NARRATIVES, []) if not lab.possible] or ["Other"]
        subs = [lab.name for lab in doc.cats.get(SUBNARRATIVES, []) if not lab.possible]
        subs = subs or (["Other"] if narratives == ["Other"] else [f"{n}: Other" for n in narratives])
        out.append(SemevalDocument(doc.id, (doc.language or "en").upper(), doc.text, narratives, subs))
    return out


def reviewed_mentions(store: Store) -> list[LabelledMention]:
    """Entity mentions whose role a reviewer set, as training mentions (main and fine roles as reviewed)."""
    from narrascope.models.entity_roles import MentionContext
    from narrascope.models.entity_training import LabelledMention

    out = []
    for doc_id, corrections in store.corrections().items():
        if not any(c.layer == ENTITIES for c in corrections):
            continue
        doc = store.get(doc_id)
        if doc is None:  # corrections outlive a document removed from the store
            continue
        for span in doc.spans.get(ENTITIES, []):
            if span.attrs.get("review") != "reviewed":
                continue
            row = MentionRow(doc.id, doc.quote(span), span.start, span.end - 1, span.label,
                             tuple(span.attrs.get("fine_roles") or ()))
            out.append(LabelledMention(row, MentionContext(doc.text, span.start, span.end, (doc.language or "en").lower())))
    return out
