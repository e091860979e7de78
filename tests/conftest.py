"""Test tiers and a fresh PostgreSQL database per test, on the server named by ``NARRASCOPE_TEST_POSTGRES_URL``.

Start one with ``eval "$(.ci/postgres.sh)"``; without the variable, the tests that ask for it are skipped. Tests that
start Ray or drive a browser are slow by nature, so they count as ``slow`` too: the fast tier
(``pytest -m "not slow"``) leaves them out with the rest.
"""

from __future__ import annotations

import importlib.util
import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from narrascope.store import normalise_db_url

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every Ray and browser test ``slow`` as well."""
    for item in items:
        if item.get_closest_marker("ray") or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def postgres_url():
    """URL of a new, empty database, dropped after the test."""
    base = os.environ.get("NARRASCOPE_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("NARRASCOPE_TEST_POSTGRES_URL is not set; start a server with: eval \"$(.ci/postgres.sh)\"")
    admin_url = make_url(normalise_db_url(base))
    name = f"narrascope_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """A new, empty database on each back-end in turn: a SQLite file, then PostgreSQL (see ``postgres_url``)."""
    if request.param == "sqlite":
        return str(tmp_path / "store.db")
    return request.getfixturevalue("postgres_url")


@pytest.fixture(scope="session")
def toy_techniques(tmp_path_factory) -> str:
    """A technique model folder other than the packaged one (to show that a configured model is the one loaded)."""
    spec = importlib.util.spec_from_file_location("technique_corpus", FIXTURES / "techniques" / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.save_toy_model(tmp_path_factory.mktemp("toy-techniques"))
