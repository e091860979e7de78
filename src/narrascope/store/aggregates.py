"""Corpus aggregates for dashboards, computed in one pass over the same filters as :class:`~narrascope.store.Store`.

``Store.label_counts`` answers one grouping per query; a dashboard needs five (totals, per period, per outlet,
per language, pairs), each joining every label row to its document; on SQLite, reading a document's metadata that
way steps over its stored text, once per label. Here the labels and the documents' metadata are read once each,
in two index-friendly queries, and grouped in Python.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from itertools import combinations
from typing import Any

from sqlalchemy import select

from narrascope.document import NARRATIVES
from narrascope.store import DocumentFilter, Store
from narrascope.store.schema import DocumentRow

__all__ = ["period_start", "label_breakdown"]


def period_start(day: date, period: str) -> date:
    """The first day of ``day``'s month, or the Monday of its week."""
    if period == "month":
        return day.replace(day=1)
    if period == "week":
        return day - timedelta(days=day.weekday())
    raise ValueError("period must be week or month")


class OncePerText(Counter):
    """A counter of documents in which exact re-uploads (one text under several ids) count once per key."""

    def __init__(self) -> None:
        super().__init__()
        self._seen: set[tuple[Any, str]] = set()

    def add(self, key: Any, content_hash: str) -> None:
        """Count ``key`` for the text with ``content_hash``, unless that text was counted for it already."""
        if (key, content_hash) not in self._seen:
            self._seen.add((key, content_hash))
            self[key] += 1


def _rows(counter: Counter, key: str) -> list[dict[str, Any]]:
    rows = [{"label": label, key: group, "count": n} for (label, group), n in counter.items()]
    return sorted(rows, key=lambda r: (-r["count"], r["label"], str(r[key])))


def label_breakdown(store: Store, flt: DocumentFilter | None = None, *, layer: str = NARRATIVES,
                    period: str = "month") -> dict[str, list[dict[str, Any]]]:
    """Documents per label of ``layer`` among matching documents: overall, per period, outlet and language, and per
    unordered pair of labels found in the same document.

    Labels are reviewed where corrections exist, else predicted (``flt.predicted``: predicted only); possible labels
    (below their display threshold) count only with ``flt.possible``, as on the document page; exact re-uploads count
    once (:class:`OncePerText`, as ``count_texts`` in the store's SQL counts).
    Returns ``{"labels", "by_period", "by_outlet", "by_language", "pairs"}``; rows have the shapes of
    ``Store.label_counts`` (``period`` as an ISO date string) and, for pairs, ``{"a", "b", "count"}`` with ``a < b``.
    """
    period_start(date.today(), period)  # validates the period name
    matching = store.filtered_query(flt)
    A = (flt or DocumentFilter()).labels(layer).subquery().c
    labels_stmt = select(A.document_id, A.label)
    if flt is not None and not flt.is_empty():
        labels_stmt = labels_stmt.where(A.document_id.in_(matching.with_only_columns(DocumentRow.id)))
    meta_stmt = matching.with_only_columns(DocumentRow.id, DocumentRow.published, DocumentRow.source,
                                           DocumentRow.language, DocumentRow.content_hash)
    labels_of: dict[str, set[str]] = defaultdict(set)
    with store.engine.connect() as connection:  # Core rows: no ORM overhead on thousands of tuples
        for doc_id, label in connection.execute(labels_stmt).all():
            labels_of[doc_id].add(label)
        meta = {row[0]: row[1:] for row in connection.execute(meta_stmt).all() if row[0] in labels_of}
    totals, by_period, by_outlet, by_language, pairs = (OncePerText() for _ in range(5))
    starts: dict[date, str] = {}
    for doc_id, labels in labels_of.items():
        published, source, language, text = meta[doc_id]
        start = None
        if published:
            start = starts.get(published) or starts.setdefault(published, period_start(published, period).isoformat())
        for label in labels:
            totals.add(label, text)
            if start:
                by_period.add((label, start), text)
            by_outlet.add((label, source), text)
            by_language.add((label, language), text)
        for pair in combinations(sorted(labels), 2):
            pairs.add(pair, text)
    return {
        "labels": sorted(({"label": k, "count": n} for k, n in totals.items()), key=lambda r: (-r["count"], r["label"])),
        "by_period": _rows(by_period, "period"),
        "by_outlet": _rows(by_outlet, "outlet"),
        "by_language": _rows(by_language, "language"),
        "pairs": sorted(({"a": a, "b": b, "count": n} for (a, b), n in pairs.items()),
                        key=lambda r: (-r["count"], r["a"], r["b"])),
    }
