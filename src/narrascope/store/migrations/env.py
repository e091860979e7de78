"""Alembic environment: narrascope passes its own connection in ``config.attributes['connection']``."""

from alembic import context

from narrascope.store.schema import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
