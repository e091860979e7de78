"""Which analyser produced each stored layer, and enough about a run's process to tell when it died.

- ``documents.produced_by``: ``{layer: {"analyser": name, "version": version}}`` for every stored layer that an
  analyser of this project wrote, so a partial re-run (``--skip``) keeps the layers it did not recompute and says
  where each one came from.
- ``runs.hostname``, ``runs.pid``, ``runs.process_start``: the process running the analysis (``process_start`` is its
  start time in clock ticks since boot, so a reused pid is not mistaken for it); a ``running`` run whose process is
  gone is shown as ``interrupted``.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("produced_by", sa.JSON()))
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("hostname", sa.String(255)))
        batch.add_column(sa.Column("pid", sa.Integer()))
        batch.add_column(sa.Column("process_start", sa.BigInteger()))


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("process_start")
        batch.drop_column("pid")
        batch.drop_column("hostname")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("produced_by")
