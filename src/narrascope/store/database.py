"""The store's database: its URL, the engine on it (SQLite pragmas, schema migrations) and dialect helpers."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, Self

from platformdirs import user_data_dir
from sqlalchemy import Select, create_engine, event, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from narrascope.store.filters import DocumentFilter, filtered_query


def default_db_url() -> str:
    """``$NARRASCOPE_DB`` if set, else a SQLite file in the user's data directory."""
    if env := os.environ.get("NARRASCOPE_DB"):
        return normalise_db_url(env)
    path = Path(user_data_dir("narrascope", appauthor=False)) / "narrascope.db"
    return f"sqlite:///{path}"


def normalise_db_url(value: str) -> str:
    """Accept either a SQLAlchemy URL or a plain file path (taken as SQLite)."""
    if "://" in value:
        if value.startswith("postgresql://"):
            return "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


class Database:
    """An engine on the store's database with its schema at the newest revision; the base of :class:`Store`."""

    def __init__(self, url: str | None = None, *, echo: bool = False):
        self.url = normalise_db_url(url) if url else default_db_url()
        if self.url.startswith("sqlite:///"):
            Path(self.url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(self.url, echo=echo, future=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", sqlite_pragmas)
        self.migrate()

    def migrate(self) -> None:
        """Bring the schema to the newest revision (no-op when current)."""
        # alembic costs a quarter of a second to import: only commands that open a store pay it.
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(resources.files("narrascope.store") / "migrations"))
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def close(self) -> None:
        """Release the engine's connections."""
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def filtered_query(self, flt: DocumentFilter | None) -> Select:
        """SELECT of the documents matching ``flt``, for callers building their own aggregates."""
        return filtered_query(flt, self.engine.dialect.name)

    def _period(self, column: Any, period: str) -> Any:
        """The week or month of a date column, as an ISO date string in this dialect."""
        if period not in ("week", "month"):
            raise ValueError("period must be week or month")
        if self.engine.dialect.name == "postgresql":
            return func.to_char(func.date_trunc(period, column), "YYYY-MM-DD")
        if period == "month":
            return func.strftime("%Y-%m-01", column)
        return func.date(column, "-6 days", "weekday 1")  # Monday of the week


def insert_for(engine: Engine) -> Any:
    """The dialect's INSERT construct, which offers ``ON CONFLICT ... DO UPDATE`` (PostgreSQL and SQLite)."""
    if engine.dialect.name == "postgresql":
        return postgresql.insert
    return sqlite.insert


def sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Foreign keys, write-ahead logging and a patient lock wait on each new SQLite connection."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def utc_now() -> datetime:
    """The current UTC time without a zone, as the store's columns hold it."""
    return datetime.now(UTC).replace(tzinfo=None)
