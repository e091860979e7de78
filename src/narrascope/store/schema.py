"""Database tables. The schema is created and upgraded by the Alembic migrations in ``migrations/``; keep both in step."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    false,
    func,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# SQLite only auto-increments INTEGER PRIMARY KEY columns; PostgreSQL gets a 64-bit key.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    pass


class RunRow(Base):
    """One invocation of an analysis: what ran (pipeline and taxonomy versions), when, and with what outcome."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16))  # running / finished / failed / interrupted
    pipeline: Mapped[list] = mapped_column(JSON)
    pipeline_signature: Mapped[str] = mapped_column(String(32))
    config: Mapped[dict | None] = mapped_column(JSON)  # the pipeline configuration: components, model folders, options
    taxonomy_version: Mapped[str | None] = mapped_column(String(64))
    command: Mapped[str | None] = mapped_column(Text)
    n_analysed: Mapped[int] = mapped_column(Integer, default=0)
    n_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    n_failed: Mapped[int] = mapped_column(Integer, default=0)
    hostname: Mapped[str | None] = mapped_column(String(255))  # where the run's process runs...
    pid: Mapped[int | None] = mapped_column(Integer)  # ...its id there...
    process_start: Mapped[int | None] = mapped_column(BigInteger)  # ...and its start time (clock ticks since boot)


class DocumentRow(Base):
    """An article with its metadata; ``analysis_key`` says which pipeline produced its current annotations."""

    __tablename__ = "documents"
    __table_args__ = (
        Index("ix_documents_published_id", "published", "id"),
        Index("ix_documents_source_published", "source", "published"),
        Index("ix_documents_content_hash", "content_hash"),  # exact re-uploads: one text under several ids
        Index("ix_documents_facets", "id", "published", "source", "language", "content_hash"),  # corpus views read only these
    )

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(32))
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(255), index=True)
    url: Mapped[str | None] = mapped_column(Text)
    published: Mapped[date | None] = mapped_column(Date, index=True)
    language: Mapped[str | None] = mapped_column(String(16), index=True)
    meta: Mapped[dict] = mapped_column(JSON, default=dict)
    analysis_key: Mapped[str | None] = mapped_column(String(64))
    produced_by: Mapped[dict | None] = mapped_column(JSON)  # layer -> {"analyser": name, "version": version}
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))
    analysed_at: Mapped[datetime | None] = mapped_column(DateTime)


class AnnotationRow(Base):
    """One annotation of a document: a span (``start``/``end`` set) or a document-level label (both null).

    ``entity`` carries the canonical entity name for entity-role rows so corpus queries by entity stay indexed;
    ``possible`` marks a label below its display threshold (:attr:`narrascope.document.Label.possible`), which corpus
    views leave out unless asked, as the document view does.
    """

    __tablename__ = "annotations"
    __table_args__ = (
        CheckConstraint("start IS NULL OR (start >= 0 AND start < \"end\")", name="ck_annotations_span"),
        Index("ix_annotations_layer_label", "layer", "label"),
        Index("ix_annotations_document_layer", "document_id", "layer"),
        Index("ix_annotations_entity", "entity"),
        Index("ix_annotations_layer_label_document", "layer", "label", "document_id"),
        Index("ix_annotations_entity_lower", func.lower(text("entity"))),
        # Index-only reads for the corpus views: the labels each document carries, and entities per role.
        Index("ix_annotations_layer_possible_label_document", "layer", "possible", "label", "document_id"),
        Index("ix_annotations_layer_entity_label_document", "layer", "entity", "label", "document_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    layer: Mapped[str] = mapped_column(String(32))
    label: Mapped[str] = mapped_column(String(255))
    start: Mapped[int | None] = mapped_column(Integer)
    end: Mapped[int | None] = mapped_column(Integer)
    score: Mapped[float | None] = mapped_column(Float)
    entity: Mapped[str | None] = mapped_column(String(255))
    attrs: Mapped[dict | None] = mapped_column(JSON)
    possible: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class CorrectionRow(Base):
    """A reviewer's correction of one prediction, stored apart from the predictions (a re-analysis replaces
    annotations, never these).

    ``layer`` is ``narratives``, ``subnarratives``, ``entities`` or ``evidence``; ``target`` the label name (the
    label whose evidence it is, for ``evidence``) or the entity id; ``start``/``end`` an evidence span; ``label`` the
    value the correction sets (the label, or the main role), ``value`` any more of it (fine roles, the entity's
    name); ``replaced`` the model output it replaced (label, score, analyser, version); ``current`` is false once a
    later correction of the same target supersedes it.
    """

    __tablename__ = "corrections"
    __table_args__ = (
        Index("ix_corrections_document_current", "document_id", "current"),
        Index("ix_corrections_layer_label", "layer", "label"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    layer: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(255))
    start: Mapped[int | None] = mapped_column(Integer)
    end: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(32))
    label: Mapped[str | None] = mapped_column(String(255))
    value: Mapped[dict | None] = mapped_column(JSON)
    replaced: Mapped[dict | None] = mapped_column(JSON)
    reviewer: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    content_hash: Mapped[str] = mapped_column(String(32))
    current: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class CopySignatureRow(Base):
    """A document's MinHash signature over its article text (see :mod:`narrascope.store.copies`), written with it."""

    __tablename__ = "copy_signatures"

    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    minhash: Mapped[bytes] = mapped_column(LargeBinary)  # NUM_PERM little-endian unsigned 32-bit values
    shingles: Mapped[int] = mapped_column(Integer)  # distinct word 5-grams summarised (short texts are not banded)


class CopyBandRow(Base):
    """One LSH band key of a document's signature: documents sharing a key are candidate copies."""

    __tablename__ = "copy_bands"
    # SQLite: the primary key is the table (no separate rowid table beside it), a third less space.
    __table_args__ = (Index("ix_copy_bands_document", "document_id"), {"sqlite_with_rowid": False})

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)


# Kept by migration 0006 outside these declarations (they exist on one back-end only, or differ between them):
# SQLite's FTS5 table with its shadow tables, PostgreSQL's stored search vector column and its GIN index, and the
# trigger-kept data version.
SEARCH_OBJECTS = ("documents_fts", "search_vector", "ix_documents_search", "store_changes")


def declared_here(name: str | None, type_: str, _parent_names: object) -> bool:
    """Whether a schema comparison (Alembic ``include_name``) should consider this object: not the search ones."""
    return not (name or "").startswith(SEARCH_OBJECTS)
