"""Corpus filters (:class:`DocumentFilter`) and the SQL that selects the documents they match."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from sqlalchemy import Select, exists, func, select

from narrascope.document import NARRATIVES, SUBNARRATIVES, TECHNIQUES
from narrascope.store.review import effective_entities, effective_labels
from narrascope.store.schema import AnnotationRow, DocumentRow
from narrascope.store.search import SearchSyntaxError, parse_search, search_condition

__all__ = ["DocumentFilter", "FilterError", "filtered_query", "entity_is"]


class FilterError(ValueError):
    """A filter value given by a user that cannot be used: ``field`` names the :class:`DocumentFilter` field and
    ``problem`` says what is wrong with it, so each front end can name the field its own way."""

    def __init__(self, field: str, problem: str):
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


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

    @classmethod
    def from_strings(cls, *, since: str | None = None, until: str | None = None, possible: bool = False,
                     predicted: bool = False, **values: str | None) -> DocumentFilter:
        """The filter from values as a user typed them (command-line options, query parameters), checked alike for
        every front end: a blank value is unset, dates are YYYY-MM-DD and in order, a search parses, and no value
        holds a NUL character (no stored text can, and SQLite would read it as the end of a pattern). A value
        that fails is a :class:`FilterError` naming its field."""
        texts = {"since": since, "until": until, **values}
        for name, value in texts.items():
            if value is not None and "\x00" in value:
                raise FilterError(name, "contains a NUL character")
        given: dict[str, Any] = {name: (value.strip() or None) if value is not None else None
                                 for name, value in texts.items()}
        dates: dict[str, Any] = {}
        for name in ("since", "until"):
            value = given.pop(name)
            try:
                dates[name] = date.fromisoformat(value) if value else None
            except ValueError:
                raise FilterError(name, f"must be a date as YYYY-MM-DD, got {value!r}") from None
        if dates["since"] and dates["until"] and dates["since"] > dates["until"]:
            raise FilterError("since", "is after until")
        if search := given.get("text"):
            try:
                parse_search(search)
            except SearchSyntaxError as exc:
                raise FilterError("text", str(exc)) from exc
        return cls(**given, **dates, possible=possible, predicted=predicted)

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
        stmt = stmt.where(_has_label(flt, NARRATIVES, flt.narrative))
    if flt.also_narrative:
        stmt = stmt.where(_has_label(flt, NARRATIVES, flt.also_narrative))
    if flt.subnarrative:
        stmt = stmt.where(_has_label(flt, SUBNARRATIVES, flt.subnarrative))
    if flt.technique:
        stmt = stmt.where(_has_annotation(A.layer == TECHNIQUES, A.label == flt.technique))
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
