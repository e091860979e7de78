"""Initial schema: runs, documents, annotations.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", big_id, primary_key=True, autoincrement=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime()),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("pipeline", sa.JSON(), nullable=False),
        sa.Column("pipeline_signature", sa.String(32), nullable=False),
        sa.Column("taxonomy_version", sa.String(64)),
        sa.Column("command", sa.Text()),
        sa.Column("n_analysed", sa.Integer(), nullable=False),
        sa.Column("n_unchanged", sa.Integer(), nullable=False),
        sa.Column("n_failed", sa.Integer(), nullable=False),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.String(255), primary_key=True),
        sa.Column("content_hash", sa.String(32), nullable=False),
        sa.Column("title", sa.Text()),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source", sa.String(255)),
        sa.Column("url", sa.Text()),
        sa.Column("published", sa.Date()),
        sa.Column("language", sa.String(16)),
        sa.Column("meta", sa.JSON(), nullable=False),
        sa.Column("analysis_key", sa.String(64)),
        sa.Column("run_id", big_id, sa.ForeignKey("runs.id")),
        sa.Column("analysed_at", sa.DateTime()),
    )
    op.create_index("ix_documents_source", "documents", ["source"])
    op.create_index("ix_documents_published", "documents", ["published"])
    op.create_index("ix_documents_language", "documents", ["language"])
    op.create_table(
        "annotations",
        sa.Column("id", big_id, primary_key=True, autoincrement=True),
        sa.Column("document_id", sa.String(255), sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("layer", sa.String(32), nullable=False),
        sa.Column("label", sa.String(255), nullable=False),
        sa.Column("start", sa.Integer()),
        sa.Column("end", sa.Integer()),
        sa.Column("score", sa.Float()),
        sa.Column("entity", sa.String(255)),
        sa.Column("attrs", sa.JSON()),
        sa.CheckConstraint('start IS NULL OR (start >= 0 AND start < "end")', name="ck_annotations_span"),
    )
    op.create_index("ix_annotations_layer_label", "annotations", ["layer", "label"])
    op.create_index("ix_annotations_document_layer", "annotations", ["document_id", "layer"])
    op.create_index("ix_annotations_entity", "annotations", ["entity"])


def downgrade() -> None:
    op.drop_table("annotations")
    op.drop_table("documents")
    op.drop_table("runs")
