"""Reviewers' corrections, kept apart from the predictions so a re-analysis never loses them.

One row per correction (accept, reject, add, set-role, mark-evidence-wrong, pick-evidence) with who made it, when,
and the model output it replaced; ``current`` is false once a later correction of the same target supersedes it, so
the history stays while views read only the current decision.

Revision ID: 0007
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "corrections",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("document_id", sa.String(255), sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("layer", sa.String(32), nullable=False),
        sa.Column("target", sa.String(255), nullable=False),
        sa.Column("start", sa.Integer()),
        sa.Column("end", sa.Integer()),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("label", sa.String(255)),
        sa.Column("value", sa.JSON()),
        sa.Column("replaced", sa.JSON()),
        sa.Column("reviewer", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("content_hash", sa.String(32), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.create_index("ix_corrections_document_current", "corrections", ["document_id", "current"])
    op.create_index("ix_corrections_layer_label", "corrections", ["layer", "label"])


def downgrade() -> None:
    op.drop_table("corrections")
