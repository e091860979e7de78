"""Reviewers' corrections, kept apart from the predictions so a re-analysis never loses them.

One row per correction (accept, reject, add, set-role, mark-evidence-wrong, pick-evidence) with who made it, when,
and the model output it replaced; ``current`` is false once a later correction of the same target supersedes it, so
the history stays while views read only the current decision.

Reviewed labels change the corpus views' counts, so every write to ``corrections`` also raises migration 0006's data
version (``store_changes``), as writes to ``documents`` do: cached views never outlive a correction.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
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
    postgresql = op.get_bind().dialect.name == "postgresql"
    for event in ("INSERT", "UPDATE", "DELETE"):  # as 0006's triggers on documents (dropped with the table)
        if postgresql:
            op.execute(f"CREATE TRIGGER corrections_changed_{event.lower()} AFTER {event} ON corrections "
                       "FOR EACH STATEMENT EXECUTE FUNCTION narrascope_store_changed()")
        else:
            op.execute(f"CREATE TRIGGER corrections_changed_{event.lower()} AFTER {event} ON corrections BEGIN "
                       "UPDATE store_changes SET version = version + 1 WHERE id = 1; END")


def downgrade() -> None:
    op.drop_table("corrections")
