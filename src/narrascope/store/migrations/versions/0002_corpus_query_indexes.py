"""Indexes for the corpus queries of the CLI and the dashboard.

- ``annotations(layer, label, document_id)``: "documents carrying label X" filters and per-label document counts
  are answered from the index alone.
- ``annotations(lower(entity))``: entity filters compare case-insensitively.
- ``documents(published, id)``: the newest-first listing with its id tie-break, and date-range filters.
- ``documents(source, published)``: one outlet's documents over time.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_annotations_layer_label_document", "annotations", ["layer", "label", "document_id"])
    op.create_index("ix_annotations_entity_lower", "annotations", [sa.text("lower(entity)")])
    op.create_index("ix_documents_published_id", "documents", ["published", "id"])
    op.create_index("ix_documents_source_published", "documents", ["source", "published"])


def downgrade() -> None:
    op.drop_index("ix_documents_source_published", table_name="documents")
    op.drop_index("ix_documents_published_id", table_name="documents")
    op.drop_index("ix_annotations_entity_lower", table_name="annotations")
    op.drop_index("ix_annotations_layer_label_document", table_name="annotations")
