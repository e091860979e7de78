"""Persistent store of analysed documents: SQLite by default, PostgreSQL via a ``postgresql://`` URL.

Writes happen in batches, each in one transaction, so an interrupted run leaves whole documents or none;
re-analysing a document whose text and pipeline are unchanged is skipped (``Store.unchanged``). Re-analysing a
document with fewer analysers replaces only the layers they wrote; the others stay (``Document.produced_by`` says
which analyser wrote each).
"""

from __future__ import annotations

import hashlib
import os
import socket
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir
from sqlalchemy import Select, String, cast, create_engine, delete, event, exists, func, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from narrascope.document import SEGMENTS, SENTENCES, Document, Label, Span
from narrascope.store.copies import (
    COPY_JACCARD, Signature, copy_rows, count_texts, outlet_pairs, signature, signature_rows, similar_documents,
    similar_pairs,
)
from narrascope.store.review import Correction, apply_corrections, effective_entities, effective_labels
from narrascope.store.schema import AnnotationRow, CopyBandRow, CopySignatureRow, CorrectionRow, DocumentRow, RunRow
from narrascope.store.search import parse_search, search_condition, snippet

__all__ = ["Store", "DocumentFilter", "StoredVersion", "default_db_url", "analysis_key", "storable_problem"]

# Layers recomputed on demand rather than stored.
TRANSIENT_LAYERS = frozenset({SENTENCES})

# Column widths both back-ends enforce the same way (SQLite would store longer values; PostgreSQL refuses them).
MAX_ID_CHARS = 255
_LIMITED_FIELDS = {"source": 255, "language": 16}


def default_db_url() -> str:
    """``$NARRASCOPE_DB`` if set, else a SQLite file in the user's data directory."""
    if env := os.environ.get("NARRASCOPE_DB"):
        return normalise_db_url(env)
    path = Path(user_data_dir("narrascope", appauthor=False)) / "narrascope.db"
    return f"sqlite:///{path}"


def normalise_db_url(value: str) -> str:
    """Accept either a SQLAlchemy URL or a plain file path (taken as SQLite)."""
    if "://" in value:
        if value.startswith("postgresql://"):
            return "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


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


def _entity_is(column: Any, name: str) -> Any:
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


class Store:
    """Documents, runs and annotations in one SQL database."""

    def __init__(self, url: str | None = None, *, echo: bool = False):
        self.url = normalise_db_url(url) if url else default_db_url()
        if self.url.startswith("sqlite:///"):
            Path(self.url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(self.url, echo=echo, future=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.migrate()

    def migrate(self) -> None:
        """Bring the schema to the newest revision (no-op when current)."""
        # alembic costs a quarter of a second to import: only commands that open a store pay it.
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(resources.files("narrascope.store") / "migrations"))
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- runs -------------------------------------------------------------------------------------------------
    def begin_run(self, pipeline: list[dict[str, str]], signature: str, *, config: dict[str, Any] | None = None,
                  taxonomy_version: str | None = None, command_line: str | None = None) -> int:
        """Record a new run as ``running`` by this process (so a later look can tell if the process died);
        ``config`` is the pipeline configuration it runs (``PipelineConfig.to_dict()``)."""
        self.mark_dead_runs()
        with Session(self.engine) as session, session.begin():
            run = RunRow(started_at=_now(), status="running", pipeline=pipeline, pipeline_signature=signature, config=config,
                         taxonomy_version=taxonomy_version, command=command_line, n_analysed=0, n_unchanged=0, n_failed=0,
                         hostname=socket.gethostname()[:255], pid=os.getpid(), process_start=_process_start(os.getpid()))
            session.add(run)
            session.flush()
            return run.id

    def record_progress(self, run_id: int, *, analysed: int, unchanged: int, failed: int) -> None:
        """Store a running run's counts so far (called after every batch, so a killed run keeps its real counts)."""
        with Session(self.engine) as session, session.begin():
            session.execute(update(RunRow).where(RunRow.id == run_id).values(
                n_analysed=analysed, n_unchanged=unchanged, n_failed=failed))

    def finish_run(self, run_id: int, *, status: str, analysed: int, unchanged: int, failed: int) -> None:
        with Session(self.engine) as session, session.begin():
            session.execute(update(RunRow).where(RunRow.id == run_id).values(
                finished_at=_now(), status=status, n_analysed=analysed, n_unchanged=unchanged, n_failed=failed))

    def mark_dead_runs(self) -> int:
        """Mark ``running`` runs of this machine whose process is gone (killed, crashed) as ``interrupted``.

        Their counts are those recorded after their last stored batch. Runs started on other machines cannot be
        checked from here and keep their status. Returns how many runs were marked.
        """
        host = socket.gethostname()[:255]
        with Session(self.engine) as session, session.begin():
            running = session.execute(select(RunRow.id, RunRow.pid, RunRow.process_start)
                                      .where(RunRow.status == "running", RunRow.hostname == host)).all()
            dead = [run_id for run_id, pid, started in running if pid and _process_start(pid) != started]
            if dead:
                session.execute(update(RunRow).where(RunRow.id.in_(dead), RunRow.status == "running")
                                .values(status="interrupted"))
            return len(dead)

    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        self.mark_dead_runs()
        with Session(self.engine) as session:
            rows = session.scalars(select(RunRow).order_by(RunRow.id.desc()).limit(limit)).all()
            return [{c.name: getattr(r, c.name) for c in RunRow.__table__.columns} for r in rows]

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
                                          _stored_metadata(meta or {}, source, url, published))
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
        now = _now()
        latest = {d.id: d for d in docs}  # a repeated id within the batch: the last one wins
        ids = sorted(latest)
        with Session(self.engine) as session, session.begin():
            if self.engine.dialect.name == "postgresql":
                for key in sorted({_lock_key(i) for i in ids}):
                    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
            previous = {doc_id: (content, dict(made_by or {})) for doc_id, content, made_by in session.execute(
                select(DocumentRow.id, DocumentRow.content_hash, DocumentRow.produced_by).where(DocumentRow.id.in_(ids)))}
            rows, kept = [], {}
            for doc_id in ids:
                doc = latest[doc_id]
                content, made_by = previous.get(doc_id, (None, {}))
                replaced = _layers_of(doc)
                if content == doc.content_hash:
                    kept[doc_id] = replaced
                    made_by = {layer: who for layer, who in made_by.items() if layer not in replaced}
                else:
                    made_by = {}
                made_by.update({layer: who for layer, who in doc.produced_by.items() if layer not in TRANSIENT_LAYERS})
                rows.append(_document_row(doc, pipeline_signature, run_id, now, made_by))
            upsert = _insert_for(self.engine)(DocumentRow)
            upsert = upsert.on_conflict_do_update(index_elements=[DocumentRow.id],
                                                  set_={name: upsert.excluded[name] for name in rows[0] if name != "id"})
            session.execute(upsert, rows)
            session.execute(delete(AnnotationRow).where(AnnotationRow.document_id.in_([i for i in ids if i not in kept])))
            for doc_id, layers in kept.items():
                session.execute(delete(AnnotationRow).where(AnnotationRow.document_id == doc_id,
                                                            AnnotationRow.layer.in_(sorted(layers))))
            annotations = [row for i in ids for row in _annotation_rows(latest[i])]
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
            doc = _to_document(row, annotations)
        return doc if predicted else apply_corrections(doc, self.corrections([doc_id]).get(doc_id, []))

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
                                created_at=correction.created_at or _now(), content_hash=correction.content_hash,
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

    def filtered_query(self, flt: DocumentFilter | None) -> Select:
        """SELECT of the documents matching ``flt``, for callers building their own aggregates."""
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
                conds.append(_entity_is(mentions.c.entity, flt.entity))
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
            stmt = stmt.where(search_condition(self.engine.dialect.name, parse_search(flt.text)))
        return stmt

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

    def list(self, flt: DocumentFilter | None = None, *, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        """Summaries (metadata, whether a reviewer corrected it, narrative labels each marked reviewed or not; no
        text) of matching documents, newest first; possible labels only with ``flt.possible``. With a search
        (``flt.text``), each has a ``snippet``: the passage around its first match as ``{"text", "match"}`` pieces."""
        stmt = (self.filtered_query(flt).order_by(DocumentRow.published.desc().nulls_last(), DocumentRow.id)
                .limit(limit).offset(offset))
        with Session(self.engine) as session:
            rows = session.scalars(stmt).all()
            labels: dict[str, list[tuple[str, float, bool, bool]]] = {r.id: [] for r in rows}
            if rows:
                effective = (flt or DocumentFilter()).labels("narratives").subquery()
                found = session.execute(select(effective).where(effective.c.document_id.in_(list(labels))))
                for doc_id, label, score, possible, reviewed in found:
                    labels[doc_id].append((label, score, bool(possible), bool(reviewed)))
            corrected = set(session.scalars(select(CorrectionRow.document_id).distinct().where(
                CorrectionRow.document_id.in_(list(labels)), CorrectionRow.current.is_(True)))) if rows else set()
            search = parse_search(flt.text) if flt and flt.text else None
            return [{"id": r.id, "title": r.title, "source": r.source, "url": r.url,
                     "published": r.published.isoformat() if r.published else None, "language": r.language,
                     "reviewed": r.id in corrected,
                     "narratives": [{"name": n, "score": s, "possible": p, "reviewed": v}
                                    for n, s, p, v in labels[r.id]],
                     **({"snippet": [{"text": part, "match": hit} for part, hit in snippet(r.title, r.text, search)]}
                        if search else {})} for r in rows]

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
                docs = [_to_document(r, by_doc[r.id]) for r in rows]
            if not (flt and flt.predicted):
                corrections = self.corrections(ids)
                docs = [apply_corrections(d, corrections.get(d.id, [])) for d in docs]
            yield from docs
            last_id = ids[-1]

    def label_counts(self, layer: str, flt: DocumentFilter | None = None, *, by: str | None = None,
                     period: str = "month") -> list[dict[str, Any]]:
        """Number of documents per label of ``layer`` (optionally also per ``by``: outlet, language or period);
        possible labels count only with ``flt.possible``; exact re-uploads count once."""
        docs = self.filtered_query(flt).subquery()
        flt = flt or DocumentFilter()
        if layer in ("narratives", "subnarratives"):
            A = flt.labels(layer).subquery().c
        elif layer == "entities":
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
            stmt = stmt.where(_entity_is(A.entity, entity))
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

    def _period(self, column: Any, period: str) -> Any:
        if period not in ("week", "month"):
            raise ValueError("period must be week or month")
        if self.engine.dialect.name == "postgresql":
            return func.to_char(func.date_trunc(period, column), "YYYY-MM-DD")
        if period == "month":
            return func.strftime("%Y-%m-01", column)
        return func.date(column, "-6 days", "weekday 1")  # Monday of the week


def _stored_metadata(meta: dict[str, Any], source: str | None, url: str | None,
                     published: date | None) -> dict[str, Any]:
    values = {"source": source, "url": url, "published": published, "author": meta.get("author"),
              "metadata_from": meta.get("metadata_from")}
    return {k: v for k, v in values.items() if v not in (None, "")}


def _insert_for(engine: Engine) -> Any:
    """The dialect's INSERT construct, which offers ``ON CONFLICT ... DO UPDATE`` (PostgreSQL and SQLite)."""
    if engine.dialect.name == "postgresql":
        return postgresql.insert
    return sqlite.insert


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _lock_key(doc_id: str) -> int:
    """A 64-bit PostgreSQL advisory-lock key for a document id."""
    return int.from_bytes(hashlib.sha256(doc_id.encode()).digest()[:8], "big", signed=True)


def _process_start(pid: int) -> int | None:
    """Start time of a live process in clock ticks since boot, or None when no such process runs. Without Linux's
    ``/proc`` it is always None, so runs are never marked dead there."""
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
    except OSError:
        return None


def _layers_of(doc: Document) -> set[str]:
    """The stored layers a document replaces: those it carries and those its analysers wrote (even if empty)."""
    return (set(doc.spans) | set(doc.cats) | set(doc.produced_by)) - TRANSIENT_LAYERS


def _document_row(doc: Document, signature: str, run_id: int | None, now: datetime,
                  produced_by: dict[str, dict[str, str]]) -> dict[str, Any]:
    return {"id": doc.id, "content_hash": doc.content_hash, "title": doc.title, "text": doc.text, "source": doc.source,
            "url": doc.url, "published": doc.published, "language": doc.language, "meta": doc.meta,
            "analysis_key": analysis_key(doc.content_hash, signature), "run_id": run_id, "analysed_at": now,
            "produced_by": produced_by or None}


def _annotation_rows(doc: Document) -> Iterable[dict[str, Any]]:
    for layer, spans in doc.spans.items():
        if layer in TRANSIENT_LAYERS:
            continue
        for s in spans:
            attrs = dict(s.attrs)
            entity = attrs.pop("entity", None) if layer == "entities" else None
            yield {"document_id": doc.id, "layer": layer, "label": s.label, "start": s.start, "end": s.end,
                   "score": s.score, "entity": entity, "attrs": attrs or None, "possible": False}
    for layer, labels in doc.cats.items():
        for label in labels:
            attrs = {**label.attrs, **({"evidence": [e.to_dict() for e in label.evidence]} if label.evidence else {})}
            yield {"document_id": doc.id, "layer": layer, "label": label.name, "start": None, "end": None,
                   "score": label.score, "entity": None, "attrs": attrs or None, "possible": label.possible}


def _to_document(row: DocumentRow, annotations: Iterable[AnnotationRow]) -> Document:
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
            doc.spans.setdefault(ann.layer, []).append(Span(ann.start, ann.end, ann.label, ann.score, attrs))
    for spans in doc.spans.values():
        spans.sort(key=lambda s: (s.start, s.end))
    return doc
