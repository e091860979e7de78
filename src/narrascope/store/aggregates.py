"""Corpus aggregates beyond those on :class:`~narrascope.store.Store`, computed in SQL over the same filters."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from narrascope.document import NARRATIVES
from narrascope.store import DocumentFilter, Store
from narrascope.store.schema import AnnotationRow

__all__ = ["label_cooccurrence"]


def label_cooccurrence(store: Store, flt: DocumentFilter | None = None, *, layer: str = NARRATIVES,
                       limit: int | None = None) -> list[dict[str, Any]]:
    """Number of matching documents carrying each unordered pair of labels of ``layer``, most frequent first.

    Each pair appears once, as ``{"a": ..., "b": ..., "count": ...}`` with ``a < b``.
    """
    docs = store._filtered(flt).subquery()
    first, second = aliased(AnnotationRow), aliased(AnnotationRow)
    stmt = (select(first.label, second.label, func.count(func.distinct(first.document_id)))
            .join(docs, docs.c.id == first.document_id)
            .join(second, (second.document_id == first.document_id) & (second.layer == layer)
                  & (second.label > first.label))
            .where(first.layer == layer)
            .group_by(first.label, second.label))
    with Session(store.engine) as session:
        rows = [{"a": a, "b": b, "count": n} for a, b, n in session.execute(stmt)]
    rows.sort(key=lambda r: (-r["count"], r["a"], r["b"]))
    return rows[:limit] if limit is not None else rows
