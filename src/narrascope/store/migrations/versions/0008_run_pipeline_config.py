"""The pipeline configuration of each run: ``runs.config``, which components ran, the model folder each trained one
loaded and their options (``PipelineConfig.to_dict()``), so a run says which models produced its documents.
Runs recorded before this migration have none.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("config", sa.JSON()))


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("config")
