"""Questions about the stored corpus: counts, listings, entity roles and re-published copies."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from narrascope.document import ENTITIES, NARRATIVES, SUBNARRATIVES, Document
from narrascope.store.copies import (
    COPY_JACCARD,
    Signature,
    copy_rows,
    count_texts,
    outlet_pairs,
    signature,
    similar_documents,
    similar_pairs,
)
from narrascope.store.documents import DocumentStore
from narrascope.store.filters import DocumentFilter, entity_is
from narrascope.store.schema import AnnotationRow, CopySignatureRow, CorrectionRow, DocumentRow
from narrascope.store.search import SORTS, parse_search, relevance, snippet


class CorpusQueries(DocumentStore):
    """Counts, summaries and copies of the documents matching a filter."""

    def count(self, flt: DocumentFilter | None = None, *, per_id: bool = False) -> int:
        """Matching documents, exact re-uploads once (``per_id``: every stored id, as a list pages through them)."""
        docs = self.filtered_query(flt).subquery()
        with Session(self.engine) as session:
            counted = func.count() if per_id else count_texts(docs.c.content_hash)
            return session.scalar(select(counted).select_from(docs)) or 0

    def count_reviewed(self, flt: DocumentFilter | None = None) -> int:
        """Number of matching documents with at least one current correction (exact re-uploads once)."""
        reviewed = select(CorrectionRow.document_id).where(CorrectionRow.current.is_(True))
        docs = self.filtered_query(flt).where(DocumentRow.id.in_(reviewed)).subquery()
        with Session(self.engine) as session:
            return session.scalar(select(count_texts(docs.c.content_hash)).select_from(docs)) or 0

    def label_counts(self, layer: str, flt: DocumentFilter | None = None, *, by: str | None = None,
                     period: str = "month") -> list[dict[str, Any]]:
        """Number of documents per label of ``layer`` (optionally also per ``by``: outlet, language or period);
        possible labels count only with ``flt.possible``; exact re-uploads count once."""
        docs = self.filtered_query(flt).subquery()
        flt = flt or DocumentFilter()
        if layer in (NARRATIVES, SUBNARRATIVES):
            A = flt.labels(layer).subquery().c
        elif layer == ENTITIES:
            A = flt.entities().subquery().c
        else:
            A = select(AnnotationRow).where(AnnotationRow.layer == layer).subquery().c
        columns: list[Any] = [A.label]
        if by == "outlet":
            columns.append(docs.c.source)
        elif by == "language":
            columns.append(docs.c.language)
        elif by == "period":
            columns.append(self._period(docs.c.published, period))
        elif by is not None:
            raise ValueError(f"cannot group by {by!r}; use outlet, language or period")
        stmt = (select(*columns, count_texts(docs.c.content_hash))
                .join(docs, docs.c.id == A.document_id).group_by(*columns))
        with Session(self.engine) as session:
            out = []
            for row in session.execute(stmt):
                item = {"label": row[0], "documents": row[-1]}
                if by:
                    item[by] = row[1]
                out.append(item)
        return sorted(out, key=lambda r: (-r["documents"], r["label"]))

    def field_counts(self, field: str, flt: DocumentFilter | None = None) -> list[dict[str, Any]]:
        """Number of matching documents per ``source`` or ``language`` (exact re-uploads once in each)."""
        if field not in ("source", "language"):
            raise ValueError(f"cannot count by {field!r}")
        docs = self.filtered_query(flt).subquery()
        stmt = select(docs.c[field], count_texts(docs.c.content_hash)).group_by(docs.c[field])
        with Session(self.engine) as session:
            return sorted(({"value": v, "documents": n} for v, n in session.execute(stmt)), key=lambda r: -r["documents"])

    def entity_roles(self, entity: str | None = None, flt: DocumentFilter | None = None, *, by: str | None = None,
                     role: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """How entities are cast: mention counts per entity and main role (optionally one ``role`` only, and per
        outlet or month); exact re-uploads count once."""
        docs = self.filtered_query(flt).subquery()
        A = (flt or DocumentFilter()).entities().subquery().c
        columns: list[Any] = [A.entity, A.label]
        if by == "outlet":
            columns.append(docs.c.source)
        elif by == "period":
            columns.append(self._period(docs.c.published, "month"))
        elif by is not None:
            raise ValueError(f"cannot group by {by!r}; use outlet or period")
        mention = docs.c.content_hash + ":" + cast(A.start, String)  # one mention of one text, whatever its id
        stmt = (select(*columns, count_texts(mention), count_texts(docs.c.content_hash))
                .join(docs, docs.c.id == A.document_id).group_by(*columns))
        if entity:
            stmt = stmt.where(entity_is(A.entity, entity))
        if role:
            stmt = stmt.where(A.label == role)
        with Session(self.engine) as session:
            out = []
            for row in session.execute(stmt):
                item = {"entity": row[0], "role": row[1], "mentions": row[-2], "documents": row[-1]}
                if by:
                    item[by] = row[2]
                out.append(item)
        out.sort(key=lambda r: (-r["mentions"], r["entity"] or ""))
        return out[:limit] if not entity else out

    # ---- copies -----------------------------------------------------------------------------------------------
    def copies(self, doc_id: str) -> list[dict[str, Any]] | None:
        """The stored copies of a document (see :mod:`narrascope.store.copies`): id, title, outlet, published, url,
        similarity and whether it is the exact same text, earliest first; None when no such document is stored."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(DocumentRow.content_hash, CopySignatureRow.minhash, CopySignatureRow.shingles)
                .join(CopySignatureRow, CopySignatureRow.document_id == DocumentRow.id, isouter=True)
                .where(DocumentRow.id == doc_id)).first()
            if row is None:
                return None
            content, minhash, shingles = row
            if minhash is None:  # written by a process that predates signatures: compute it from the stored document
                sig = signature(self.get(doc_id))
            else:
                sig = Signature.from_bytes(minhash, shingles)
            return copy_rows(connection, similar_documents(connection, sig, content, exclude=doc_id))

    def find_copies(self, doc: Document, *, threshold: float = COPY_JACCARD) -> list[dict[str, Any]]:
        """Stored copies of a document, stored or not (as :meth:`copies`), from its own text and segments."""
        with self.engine.connect() as connection:
            found = similar_documents(connection, signature(doc), doc.content_hash, exclude=doc.id,
                                      threshold=threshold)
            return copy_rows(connection, found)

    def copy_pairs(self, flt: DocumentFilter | None = None, *,
                   threshold: float = COPY_JACCARD) -> dict[tuple[str, str], float]:
        """Every pair of copies ``{(a, b): similarity}`` (``a < b``) of which at least one document matches ``flt``."""
        with self.engine.connect() as connection:
            pairs = similar_pairs(connection, threshold=threshold)
            if flt is not None and not flt.is_empty():
                matching = set(connection.execute(self.filtered_query(flt).with_only_columns(DocumentRow.id)).scalars())
                pairs = {pair: sim for pair, sim in pairs.items() if pair[0] in matching or pair[1] in matching}
        return pairs

    def outlet_copies(self, flt: DocumentFilter | None = None) -> list[dict[str, Any]]:
        """Who re-publishes whom: copy pairs counted per pair of outlets, with which outlet published first (see
        :func:`narrascope.store.copies.outlet_pairs`)."""
        pairs = self.copy_pairs(flt)
        ids = sorted({i for pair in pairs for i in pair})
        meta: dict[str, tuple[str | None, Any]] = {}
        with self.engine.connect() as connection:
            for first in range(0, len(ids), 1000):
                meta.update({doc_id: (source, published) for doc_id, source, published in connection.execute(
                    select(DocumentRow.id, DocumentRow.source, DocumentRow.published)
                    .where(DocumentRow.id.in_(ids[first:first + 1000])))})
        return outlet_pairs(pairs, meta)

    # Last in the class: below it, ``list`` in an annotation would name this method, not the builtin.
    def list(self, flt: DocumentFilter | None = None, *, limit: int = 50, offset: int = 0,
             sort: str = "newest") -> list[dict[str, Any]]:
        """Summaries (metadata, whether a reviewer corrected it, narrative labels each marked reviewed or not; no
        text) of matching documents, newest first, or with ``sort="relevance"`` and a search best match first (then
        newest); possible labels only with ``flt.possible``. With a search (``flt.text``), each has a ``snippet``:
        the passage around its first match as ``{"text", "match"}`` pieces."""
        if sort not in SORTS:
            raise ValueError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
        search = parse_search(flt.text) if flt and flt.text else None
        stmt = self.filtered_query(flt)
        order = [DocumentRow.published.desc().nulls_last(), DocumentRow.id]
        if sort == "relevance" and search:
            stmt, best = relevance(stmt, self.engine.dialect.name, search)
            order.insert(0, best)
        stmt = stmt.order_by(*order).limit(limit).offset(offset)
        with Session(self.engine) as session:
            rows = session.scalars(stmt).all()
            labels: dict[str, list[tuple[str, float, bool, bool]]] = {r.id: [] for r in rows}
            if rows:
                effective = (flt or DocumentFilter()).labels(NARRATIVES).subquery()
                found = session.execute(select(effective).where(effective.c.document_id.in_(list(labels))))
                for doc_id, label, score, possible, reviewed in found:
                    labels[doc_id].append((label, score, bool(possible), bool(reviewed)))
            corrected = set(session.scalars(select(CorrectionRow.document_id).distinct().where(
                CorrectionRow.document_id.in_(list(labels)), CorrectionRow.current.is_(True)))) if rows else set()
            return [{"id": r.id, "title": r.title, "source": r.source, "url": r.url,
                     "published": r.published.isoformat() if r.published else None, "language": r.language,
                     "reviewed": r.id in corrected,
                     "narratives": [{"name": n, "score": s, "possible": p, "reviewed": v}
                                    for n, s, p, v in labels[r.id]],
                     **({"snippet": [{"text": part, "match": hit} for part, hit in snippet(r.title, r.text, search)]}
                        if search else {})} for r in rows]
