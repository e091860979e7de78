"""Corpus filters (:class:`DocumentFilter`) and the SQL that selects the documents they match."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from sqlalchemy import Select, exists, func, select

from narrascope.store.review import effective_entities, effective_labels
from narrascope.store.schema import AnnotationRow, DocumentRow
from narrascope.store.search import parse_search, search_condition


@dataclass
class DocumentFilter:
    """Corpus filters shared by the CLI, the REST API and exports. Unset fields do not filter."""

    narrative: str | None = None
    also_narrative: str | None = None  # a second narrative the documents must carry too (co-occurrence)
    subnarrative: str | None = None
    entity: str | None = None
    role: str | None = None
    technique: str | None = None
    outlet: str | None = None
    language: str | None = None
    since: date | None = None
    until: date | None = None
    text: str | None = None  # a full-text search of title and text (syntax: narrascope.store.search)
    # Also count and match labels below their display threshold (hidden on the document unless asked for).
    possible: bool = False
    # Use the model's predictions alone, ignoring reviewers' corrections (default: reviewed where available).
    predicted: bool = False

    def is_empty(self) -> bool:
        """Whether no field narrows the documents (``possible`` and ``predicted`` only change which labels count)."""
        return all(getattr(self, f.name) is None for f in fields(self) if f.name not in ("possible", "predicted"))

    def labels(self, layer: str) -> Any:
        """The labels of a narrative layer this filter counts: see :func:`narrascope.store.review.effective_labels`."""
        return effective_labels(layer, possible=self.possible, predicted=self.predicted)

    def entities(self) -> Select:
        """Entity mentions with the main role this filter counts (reviewed unless ``predicted``)."""
        return effective_entities(predicted=self.predicted)


def entity_is(column: Any, name: str) -> Any:
    """Case-insensitive match of an entity name, or of the linked entity it spells in any of the five languages
    ("НАТО", "Nato" and "OTAN" find the stored "NATO"; see :mod:`narrascope.text.names`). It also
    works for Cyrillic and other non-ASCII names on SQLite, whose ``lower()`` folds ASCII letters only: the folded
    column is compared with the usual case variants of the name ("россия" finds "Россия", "всу" finds "ВСУ"),
    which the ``lower(entity)`` index still serves."""
    from narrascope.text.names import default_linker

    names = {name} | ({linked} if (linked := default_linker().resolve(name)) else set())
    variants = {v for n in names for v in (n, n.lower(), n.upper(), n.capitalize(), n.title())}
    return func.lower(column).in_(sorted(variants | {v.lower() for v in variants}))


def _has_annotation(*conditions: Any):
    return exists().where(AnnotationRow.document_id == DocumentRow.id, *conditions)


def _has_label(flt: DocumentFilter, layer: str, label: str) -> Any:
    labels = flt.labels(layer).subquery()
    return DocumentRow.id.in_(select(labels.c.document_id).where(labels.c.label == label))


def filtered_query(flt: DocumentFilter | None, dialect: str) -> Select:
    """SELECT of the documents matching ``flt`` on a database of ``dialect`` (its full-text search differs)."""
    stmt = select(DocumentRow)
    flt = flt or DocumentFilter()
    A = AnnotationRow
    if flt.narrative:
        stmt = stmt.where(_has_label(flt, "narratives", flt.narrative))
    if flt.also_narrative:
        stmt = stmt.where(_has_label(flt, "narratives", flt.also_narrative))
    if flt.subnarrative:
        stmt = stmt.where(_has_label(flt, "subnarratives", flt.subnarrative))
    if flt.technique:
        stmt = stmt.where(_has_annotation(A.layer == "techniques", A.label == flt.technique))
    if flt.entity or flt.role:
        mentions = flt.entities().subquery()
        conds = []
        if flt.entity:
            conds.append(entity_is(mentions.c.entity, flt.entity))
        if flt.role:
            conds.append(mentions.c.label == flt.role)
        stmt = stmt.where(DocumentRow.id.in_(select(mentions.c.document_id).where(*conds)))
    if flt.outlet:
        stmt = stmt.where(DocumentRow.source == flt.outlet)
    if flt.language:
        stmt = stmt.where(DocumentRow.language == flt.language)
    if flt.since:
        stmt = stmt.where(DocumentRow.published >= flt.since)
    if flt.until:
        stmt = stmt.where(DocumentRow.published <= flt.until)
    if flt.text:
        stmt = stmt.where(search_condition(dialect, parse_search(flt.text)))
    return stmt
