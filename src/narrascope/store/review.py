"""The effective view of a document: "reviewed where available, else predicted", computed here and only here.

Reviewers' corrections (:class:`~narrascope.store.schema.CorrectionRow`) live apart from the predictions, so a
re-analysis replaces predictions and never corrections. Every view applies them the same way: a single document
through :func:`apply_corrections`, corpus aggregates through :func:`effective_labels` and :func:`effective_entities`
(the same rules in SQL). Each label and entity mention of a reviewed document says whether it is ``reviewed`` or
``predicted`` (``attrs["review"]``); a document without corrections is all predicted and carries no marks.

Rules, per current correction (a later correction of the same target supersedes an earlier one):

- narratives and sub-narratives: ``accept`` keeps the label as reviewed (shown even when it was only possible);
  ``reject`` drops it; ``add`` (or ``accept`` of a label the model did not give) adds it with score 1.0;
- evidence (``layer="evidence"``, ``target`` the label): ``mark-evidence-wrong`` drops that sentence from the label's
  evidence; ``pick-evidence`` puts a sentence first; both apply only to the text they were made on;
- entities (``target`` the entity id): ``set-role`` gives every mention of the entity the reviewed main role
  (``label``) and fine roles (``value["fine_roles"]``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import CompoundSelect, Select, and_, case, exists, false, func, literal, or_, select, true, union_all
from sqlalchemy.orm import aliased

from narrascope.document import ENTITIES, NARRATIVES, SUBNARRATIVES, Document, Label, Span
from narrascope.store.schema import AnnotationRow, CorrectionRow

__all__ = ["Correction", "ACTIONS", "LABEL_LAYERS", "EVIDENCE", "REVIEWED", "PREDICTED", "entity_key",
           "apply_corrections", "review_state", "effective_labels", "effective_entities"]

LABEL_LAYERS = (NARRATIVES, SUBNARRATIVES)
EVIDENCE = "evidence"
REVIEWED, PREDICTED = "reviewed", "predicted"
# Which actions each layer takes.
ACTIONS: dict[str, tuple[str, ...]] = {
    NARRATIVES: ("accept", "reject", "add"),
    SUBNARRATIVES: ("accept", "reject", "add"),
    EVIDENCE: ("mark-evidence-wrong", "pick-evidence"),
    ENTITIES: ("set-role",),
}
ADDED_SCORE = 1.0  # a label a reviewer added has no model score; it counts as certain


@dataclass
class Correction:
    """One reviewer decision about one prediction of one document (see the module docstring for the rules)."""

    document_id: str
    layer: str
    target: str
    action: str
    label: str | None = None
    start: int | None = None
    end: int | None = None
    value: dict[str, Any] = field(default_factory=dict)
    replaced: dict[str, Any] | None = None
    reviewer: str = "anonymous"
    created_at: datetime | None = None
    content_hash: str = ""
    current: bool = True
    id: int | None = None

    def key(self) -> tuple[str, str, str, int | None, int | None]:
        """What a later correction supersedes: the same document, layer, target (and evidence span)."""
        return self.document_id, self.layer, self.target, self.start, self.end

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["created_at"] = self.created_at.isoformat() if self.created_at else None
        return out

    @classmethod
    def of_row(cls, row: CorrectionRow) -> Correction:
        return cls(row.document_id, row.layer, row.target, row.action, row.label, row.start, row.end,
                   dict(row.value or {}), row.replaced, row.reviewer, row.created_at, row.content_hash, row.current,
                   row.id)


def entity_key(doc: Document, span: Span) -> str:
    """The id that names one entity of a document (its linked id, else its name as written)."""
    return str(span.attrs.get("entity_id") or span.attrs.get("entity") or doc.quote(span))


def apply_corrections(doc: Document, corrections: Iterable[Correction]) -> Document:
    """``doc`` (changed in place and returned) as reviewed where corrections exist, else as predicted. A document
    without corrections is returned as it is (all predicted, no ``review`` marks)."""
    current = [c for c in corrections if c.current]
    if not current:
        return doc
    for layer in LABEL_LAYERS:
        decided = {c.target: c for c in current if c.layer == layer}
        labels = []
        for label in doc.cats.get(layer, []):
            decision = decided.pop(label.name, None)
            if decision is not None and decision.action == "reject":
                continue
            _mark(label.attrs, decision)
            labels.append(label)
        for name, decision in decided.items():
            if decision.action in ("add", "accept"):
                labels.append(Label(name, ADDED_SCORE, [], _mark({"added": True}, decision)))
        if labels or layer in doc.cats:
            doc.cats[layer] = labels
    by_name = {label.name: label for layer in LABEL_LAYERS for label in doc.cats.get(layer, [])}
    for c in current:
        target = by_name.get(c.target)
        if c.layer != EVIDENCE or target is None or c.content_hash != doc.content_hash or c.start is None:
            continue
        kept = [e for e in target.evidence if (e.start, e.end) != (c.start, c.end)]
        if c.action == "pick-evidence" and c.end is not None and c.end <= len(doc.text):
            kept.insert(0, Span(c.start, c.end, target.name, None, {"review": REVIEWED, "reviewer": c.reviewer}))
        target.evidence = kept
        target.attrs["evidence_review"] = REVIEWED
    roles = {c.target: c for c in current if c.layer == ENTITIES and c.action == "set-role"}
    if ENTITIES in doc.spans:
        spans = []
        for span in doc.spans[ENTITIES]:
            decision = roles.get(entity_key(doc, span))
            if decision is None:
                spans.append(Span(span.start, span.end, span.label, span.score, {**span.attrs, "review": PREDICTED}))
                continue
            attrs = {**span.attrs, "fine_roles": list(decision.value.get("fine_roles") or []),
                     "predicted_role": span.label, "review": REVIEWED, "reviewer": decision.reviewer}
            attrs.pop("best_guess", None)
            spans.append(Span(span.start, span.end, decision.label or span.label, span.score, attrs))
        doc.spans[ENTITIES] = spans
    return doc


def _mark(attrs: dict[str, Any], decision: Correction | None) -> dict[str, Any]:
    attrs["review"] = PREDICTED if decision is None else REVIEWED
    if decision is not None:
        attrs["reviewer"] = decision.reviewer
    return attrs


def review_state(doc: Document, corrections: Iterable[Correction]) -> str:
    """``unreviewed`` (no correction), ``reviewed`` (every predicted narrative and sub-narrative decided) or
    ``partly reviewed``, for a document as predicted (not the effective view)."""
    current = [c for c in corrections if c.current]
    if not current:
        return "unreviewed"
    decided = {(c.layer, c.target) for c in current}
    predicted = {(layer, label.name) for layer in LABEL_LAYERS for label in doc.cats.get(layer, [])}
    return "reviewed" if predicted <= decided else "partly reviewed"


# ---- the same rules in SQL, for corpus views ---------------------------------------------------------------------
def effective_labels(layer: str, *, possible: bool = False, predicted: bool = False) -> Select | CompoundSelect:
    """Rows ``(document_id, label, score, possible, reviewed)`` of the labels of ``layer`` a corpus view counts:
    reviewed where corrections exist, else predicted (only shown ones unless ``possible``); with ``predicted``,
    the predictions alone."""
    A = AnnotationRow
    counted = true() if possible else A.possible.is_(False)
    if predicted:
        return select(A.document_id, A.label, A.score, A.possible, false().label("reviewed")).where(
            A.layer == layer, A.start.is_(None), counted)
    C = aliased(CorrectionRow)
    kept = (select(A.document_id, A.label, A.score,
                   case((C.action == "accept", false()), else_=A.possible).label("possible"),
                   C.id.is_not(None).label("reviewed"))
            .outerjoin(C, and_(C.document_id == A.document_id, C.layer == A.layer, C.target == A.label,
                               C.current.is_(True)))
            .where(A.layer == layer, A.start.is_(None),
                   or_(and_(C.id.is_(None), counted), C.action.in_(("accept", "add")))))
    D = CorrectionRow
    added = (select(D.document_id, D.target, literal(ADDED_SCORE), false(), true())
             .where(D.layer == layer, D.current.is_(True), D.action.in_(("accept", "add")),
                    ~exists().where(A.document_id == D.document_id, A.layer == layer, A.label == D.target)))
    return union_all(kept, added)


def effective_entities(*, predicted: bool = False) -> Select:
    """Rows ``(id, document_id, start, entity, label, reviewed)`` of entity mentions with their main role as reviewed
    where a ``set-role`` correction exists, else as predicted."""
    A = AnnotationRow
    if predicted:
        return select(A.id, A.document_id, A.start, A.entity, A.label, false().label("reviewed")).where(
            A.layer == ENTITIES)
    C = aliased(CorrectionRow)
    key = func.coalesce(A.attrs["entity_id"].as_string(), A.entity)
    return (select(A.id, A.document_id, A.start, A.entity, func.coalesce(C.label, A.label).label("label"),
                   C.id.is_not(None).label("reviewed"))
            .outerjoin(C, and_(C.document_id == A.document_id, C.layer == ENTITIES, C.target == key,
                               C.action == "set-role", C.current.is_(True)))
            .where(A.layer == ENTITIES))
