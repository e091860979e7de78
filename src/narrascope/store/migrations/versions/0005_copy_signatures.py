"""Re-published copies: each document's MinHash signature and LSH band keys, and an index on the text's hash.

- ``copy_signatures(document_id, minhash, shingles)`` and ``copy_bands(key, document_id)``: written with every
  document (see :mod:`narrascope.store.copies`), so finding the copies of a document is a few indexed reads.
- ``documents(content_hash)``: the same text stored under several ids (exact re-uploads) is found, and counted once,
  without a scan.

Documents already stored get their signatures here, from their stored text and segments.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_BATCH = 500


def upgrade() -> None:
    op.create_index("ix_documents_content_hash", "documents", ["content_hash"])
    op.create_table(
        "copy_signatures",
        sa.Column("document_id", sa.String(255), sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("minhash", sa.LargeBinary(), nullable=False),
        sa.Column("shingles", sa.Integer(), nullable=False),
    )
    op.create_table(
        "copy_bands",
        sa.Column("key", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("document_id", sa.String(255), sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_copy_bands_document", "copy_bands", ["document_id"])
    _sign_stored_documents(op.get_bind())


def _sign_stored_documents(connection: sa.Connection) -> None:
    """Signatures and band keys of the documents stored before this revision (their title, text and segments)."""
    from narrascope.document import Document, Span
    from narrascope.store.copies import signature_rows

    documents = sa.table("documents", sa.column("id", sa.String()), sa.column("title", sa.Text()),
                         sa.column("text", sa.Text()))
    annotations = sa.table("annotations", sa.column("document_id", sa.String()), sa.column("layer", sa.String()),
                           sa.column("label", sa.String()), sa.column("start", sa.Integer()),
                           sa.column("end", sa.Integer()))
    signatures = sa.table("copy_signatures", sa.column("document_id", sa.String()), sa.column("minhash", sa.LargeBinary()),
                          sa.column("shingles", sa.Integer()))
    bands = sa.table("copy_bands", sa.column("key", sa.BigInteger()), sa.column("document_id", sa.String()))
    ids = connection.execute(sa.select(documents.c.id).order_by(documents.c.id)).scalars().all()
    for first in range(0, len(ids), _BATCH):
        chunk = ids[first:first + _BATCH]
        docs = {doc_id: Document(text, id=doc_id, title=title) for doc_id, title, text in connection.execute(
            sa.select(documents.c.id, documents.c.title, documents.c.text).where(documents.c.id.in_(chunk)))}
        for doc_id, label, start, end in connection.execute(
                sa.select(annotations.c.document_id, annotations.c.label, annotations.c.start, annotations.c.end)
                .where(annotations.c.document_id.in_(chunk), annotations.c.layer == "segments")):
            docs[doc_id].spans.setdefault("segments", []).append(Span(start, end, label))
        for doc in docs.values():
            doc.spans.get("segments", []).sort(key=lambda s: s.start)
        rows = [signature_rows(doc) for doc in docs.values()]
        connection.execute(sa.insert(signatures), [row for row, _ in rows])
        band_rows = [band for _, doc_bands in rows for band in doc_bands]
        if band_rows:
            connection.execute(sa.insert(bands), band_rows)


def downgrade() -> None:
    op.drop_index("ix_copy_bands_document", table_name="copy_bands")
    op.drop_table("copy_bands")
    op.drop_table("copy_signatures")
    op.drop_index("ix_documents_content_hash", table_name="documents")
