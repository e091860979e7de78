"""Whether a stored label is only *possible* (below its display threshold), as a column set at write time.

Corpus views (``list``, ``query``, the REST list and stats routes, the dashboard) count and filter only the labels
a reader is shown on the document itself, so they need this without parsing ``attrs`` JSON on every query.
Rows already stored are computed from their ``attrs.display_threshold`` (none: shown).

Revision ID: 0004
Revises: 0003
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (SQLite takes it): batch mode would reflect the table and warn on its expression index.
    op.add_column("annotations", sa.Column("possible", sa.Boolean(), nullable=False, server_default=sa.false()))
    annotations = sa.table("annotations", sa.column("id", sa.BigInteger()), sa.column("score", sa.Float()),
                           sa.column("start", sa.Integer()), sa.column("attrs", sa.JSON()),
                           sa.column("possible", sa.Boolean()))
    connection = op.get_bind()
    rows = connection.execute(sa.select(annotations.c.id, annotations.c.score, annotations.c.attrs)
                              .where(annotations.c.start.is_(None), annotations.c.attrs.is_not(None)))
    possible = [row.id for row in rows if _below_threshold(row.score, row.attrs)]
    for start in range(0, len(possible), 1000):
        connection.execute(sa.update(annotations).where(annotations.c.id.in_(possible[start:start + 1000]))
                           .values(possible=True))


def _below_threshold(score: float | None, attrs: dict | str | None) -> bool:
    """The rule of :attr:`narrascope.document.Label.possible`, on a stored row."""
    attrs = json.loads(attrs) if isinstance(attrs, str) else attrs or {}
    return (score or 0.0) < float(attrs.get("display_threshold", 0.0))


def downgrade() -> None:
    with op.batch_alter_table("annotations") as batch:
        batch.drop_column("possible")
