"""Writing and reading analysed documents with their layers, and reviewers' corrections of them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.orm import Session

from narrascope.document import SEGMENTS, Document
from narrascope.store.copies import signature_rows
from narrascope.store.database import Database, insert_for, utc_now
from narrascope.store.filters import DocumentFilter
from narrascope.store.review import Correction, apply_corrections
from narrascope.store.rows import (
    TRANSIENT_LAYERS,
    StoredVersion,
    annotation_rows,
    document_row,
    layers_of,
    lock_key,
    stored_metadata,
    to_document,
)
from narrascope.store.schema import AnnotationRow, CopyBandRow, CopySignatureRow, CorrectionRow, DocumentRow


class DocumentStore(Database):
    """Analysed documents and their corrections: batched writes, reads with corrections applied."""

    # ---- writing ----------------------------------------------------------------------------------------------
    def unchanged(self, keys: dict[str, str]) -> set[str]:
        """Of ``{doc_id: analysis_key}``, the ids already stored with exactly that key."""
        if not keys:
            return set()
        with Session(self.engine) as session:
            rows = session.execute(select(DocumentRow.id, DocumentRow.analysis_key).where(DocumentRow.id.in_(list(keys))))
            return {doc_id for doc_id, key in rows if key == keys[doc_id]}

    def stored(self, ids: Iterable[str]) -> dict[str, StoredVersion]:
        """What is stored under each of ``ids`` (absent ids are left out)."""
        ids = list(ids)
        if not ids:
            return {}
        with Session(self.engine) as session:
            rows = session.execute(select(DocumentRow.id, DocumentRow.analysis_key, DocumentRow.content_hash,
                                          DocumentRow.meta, DocumentRow.source, DocumentRow.url, DocumentRow.published)
                                   .where(DocumentRow.id.in_(ids)))
            return {doc_id: StoredVersion(key, content, (meta or {}).get("path"),
                                          stored_metadata(meta or {}, source, url, published))
                    for doc_id, key, content, meta, source, url, published in rows}

    def origins(self) -> dict[str, str]:
        """The file each stored document was read from, by id (documents without one are left out)."""
        with Session(self.engine) as session:
            rows = session.execute(select(DocumentRow.id, DocumentRow.meta))
            return {doc_id: str(meta["path"]) for doc_id, meta in rows if meta and meta.get("path")}

    def update_metadata(self, values: dict[str, dict[str, Any]]) -> set[str]:
        """Set metadata (``source``, ``url``, ``published``, ``author``) of stored documents, ``{id: {field: value}}``,
        leaving their text, analysis and annotations as they are; an empty value changes nothing, and an optional
        ``metadata_from`` entry gives the provenance of the fields set. Returns the ids found and updated."""
        from narrascope.ingest.metadata import set_field

        updated: set[str] = set()
        with Session(self.engine) as session, session.begin():
            for doc_id, fields_ in values.items():
                row = session.get(DocumentRow, doc_id)
                if row is None:
                    continue
                doc = Document(text="", id=doc_id, source=row.source, url=row.url, published=row.published,
                               meta=dict(row.meta or {}))
                origins = fields_.get("metadata_from") or {}
                for name, value in fields_.items():
                    if name != "metadata_from" and value not in (None, ""):
                        set_field(doc, name, value, origins.get(name))
                row.source, row.url, row.published, row.meta = doc.source, doc.url, doc.published, doc.meta
                updated.add(doc_id)
        return updated

    def save(self, docs: list[Document], *, pipeline_signature: str, run_id: int | None = None) -> None:
        """Insert or replace a batch of analysed documents and their layers in one transaction.

        A layer is replaced when the new document carries it (or names it in ``produced_by``); when the text is
        unchanged, stored layers the new document does not carry are kept (a run with ``--skip techniques`` keeps
        the techniques found before), and when the text changed they are dropped, since their offsets no longer fit.

        Each document's copy signature (:mod:`narrascope.store.copies`) is written in the same transaction, so copy
        look-ups see every stored document; it is kept when the text is unchanged and the document brings no segments.

        Safe with several writers at once: on PostgreSQL a transaction lock per id is taken first, in one global
        order, so concurrent saves of one id serialise (the last one wins whole) and overlapping batches cannot
        deadlock; SQLite serialises writers itself.
        """
        if not docs:
            return
        now = utc_now()
        latest = {d.id: d for d in docs}  # a repeated id within the batch: the last one wins
        ids = sorted(latest)
        with Session(self.engine) as session, session.begin():
            if self.engine.dialect.name == "postgresql":
                for key in sorted({lock_key(i) for i in ids}):
                    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
            previous = {doc_id: (content, dict(made_by or {})) for doc_id, content, made_by in session.execute(
                select(DocumentRow.id, DocumentRow.content_hash, DocumentRow.produced_by).where(DocumentRow.id.in_(ids)))}
            rows, kept = [], {}
            for doc_id in ids:
                doc = latest[doc_id]
                content, made_by = previous.get(doc_id, (None, {}))
                replaced = layers_of(doc)
                if content == doc.content_hash:
                    kept[doc_id] = replaced
                    made_by = {layer: who for layer, who in made_by.items() if layer not in replaced}
                else:
                    made_by = {}
                made_by.update({layer: who for layer, who in doc.produced_by.items() if layer not in TRANSIENT_LAYERS})
                rows.append(document_row(doc, pipeline_signature, run_id, now, made_by))
            upsert = insert_for(self.engine)(DocumentRow)
            upsert = upsert.on_conflict_do_update(index_elements=[DocumentRow.id],
                                                  set_={name: upsert.excluded[name] for name in rows[0] if name != "id"})
            session.execute(upsert, rows)
            session.execute(delete(AnnotationRow).where(AnnotationRow.document_id.in_([i for i in ids if i not in kept])))
            for doc_id, layers in kept.items():
                session.execute(delete(AnnotationRow).where(AnnotationRow.document_id == doc_id,
                                                            AnnotationRow.layer.in_(sorted(layers))))
            annotations = [row for i in ids for row in annotation_rows(latest[i])]
            if annotations:
                session.execute(insert(AnnotationRow), annotations)
            signed = set(session.scalars(select(CopySignatureRow.document_id)
                                         .where(CopySignatureRow.document_id.in_(ids))))
            self._write_signatures(session, [latest[i] for i in ids
                                             if i not in kept or i not in signed or SEGMENTS in kept[i]])

    @staticmethod
    def _write_signatures(session: Session, docs: list[Document]) -> None:
        """Replace the copy signatures and band keys of ``docs``, from their article text."""
        if not docs:
            return
        ids = [d.id for d in docs]
        session.execute(delete(CopyBandRow).where(CopyBandRow.document_id.in_(ids)))
        session.execute(delete(CopySignatureRow).where(CopySignatureRow.document_id.in_(ids)))
        rows = [signature_rows(doc) for doc in docs]
        session.execute(insert(CopySignatureRow), [row for row, _ in rows])
        bands = [band for _, doc_bands in rows for band in doc_bands]
        if bands:
            session.execute(insert(CopyBandRow), bands)

    # ---- reading ----------------------------------------------------------------------------------------------
    def get(self, doc_id: str, *, predicted: bool = False) -> Document | None:
        """A document with all stored layers, reviewed where corrections exist (the model's predictions alone with
        ``predicted``)."""
        if "\x00" in doc_id:  # never stored (see storable_problem); PostgreSQL would refuse the query
            return None
        with Session(self.engine) as session:
            row = session.get(DocumentRow, doc_id)
            if row is None:
                return None
            annotations = session.scalars(select(AnnotationRow).where(AnnotationRow.document_id == doc_id)
                                          .order_by(AnnotationRow.id)).all()
            doc = to_document(row, annotations)
        return doc if predicted else apply_corrections(doc, self.corrections([doc_id]).get(doc_id, []))

    def iter_documents(self, flt: DocumentFilter | None = None, *, batch_size: int = 200) -> Iterator[Document]:
        """Every matching document with all stored layers (reviewed where corrections exist, unless
        ``flt.predicted``), streamed in id order with bounded memory."""
        last_id = ""
        while True:
            stmt = self.filtered_query(flt).where(DocumentRow.id > last_id).order_by(DocumentRow.id).limit(batch_size)
            with Session(self.engine) as session:
                rows = session.scalars(stmt).all()
                if not rows:
                    return
                ids = [r.id for r in rows]
                by_doc: dict[str, list[AnnotationRow]] = {i: [] for i in ids}
                for ann in session.scalars(select(AnnotationRow).where(AnnotationRow.document_id.in_(ids))
                                           .order_by(AnnotationRow.id)):
                    by_doc[ann.document_id].append(ann)
                docs = [to_document(r, by_doc[r.id]) for r in rows]
            if not (flt and flt.predicted):
                corrections = self.corrections(ids)
                docs = [apply_corrections(d, corrections.get(d.id, [])) for d in docs]
            yield from docs
            last_id = ids[-1]

    # ---- corrections --------------------------------------------------------------------------------------------
    def add_correction(self, correction: Correction) -> Correction:
        """Store a reviewer's correction (validated by :func:`narrascope.review.correct`); an earlier correction of
        the same target stays in the history but is no longer current."""
        with Session(self.engine) as session, session.begin():
            doc_id, layer, target, start, end = correction.key()
            C = CorrectionRow
            same = [C.document_id == doc_id, C.layer == layer, C.target == target, C.current.is_(True),
                    C.start.is_(None) if start is None else C.start == start,
                    C.end.is_(None) if end is None else C.end == end]
            session.execute(update(C).where(*same).values(current=False))
            row = CorrectionRow(document_id=doc_id, layer=layer, target=target, start=start, end=end,
                                action=correction.action, label=correction.label, value=correction.value or None,
                                replaced=correction.replaced, reviewer=correction.reviewer,
                                created_at=correction.created_at or utc_now(), content_hash=correction.content_hash,
                                current=True)
            session.add(row)
            session.flush()
            return Correction.of_row(row)

    def corrections(self, doc_ids: Iterable[str] | None = None, *, history: bool = False) -> dict[str, list[Correction]]:
        """Current corrections (all of them with ``history``) by document id, oldest first; every document's when
        ``doc_ids`` is None."""
        stmt = select(CorrectionRow).order_by(CorrectionRow.id)
        if doc_ids is not None:
            stmt = stmt.where(CorrectionRow.document_id.in_(list(doc_ids)))
        if not history:
            stmt = stmt.where(CorrectionRow.current.is_(True))
        out: dict[str, list[Correction]] = {}
        with Session(self.engine) as session:
            for row in session.scalars(stmt):
                out.setdefault(row.document_id, []).append(Correction.of_row(row))
        return out
