"""Short commands stay quick: importing the command line loads none of the heavy libraries that only some commands
use (the time itself is measured by ``benchmarks/cli_startup.py``, not asserted here)."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("alembic", "datasketch", "scipy", "sklearn", "spacy", "torch", "fastapi", "uvicorn", "ray", "trafilatura",
         "feedparser", "sqlalchemy", "numpy", "yaml", "narrascope.store", "narrascope.runner")


def loaded_after(statement: str, modules: tuple[str, ...]) -> list[str]:
    """Which of ``modules`` a fresh interpreter holds after running ``statement``."""
    code = f"import json, sys; {statement}; print(json.dumps(sorted(m for m in {modules!r} if m in sys.modules)))"
    return json.loads(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout)


def test_importing_the_command_line_loads_no_heavy_library():
    assert loaded_after("import narrascope.cli", HEAVY) == []


def test_the_package_facade_imports_its_heavier_names_on_first_use():
    assert loaded_after("import narrascope", ("narrascope.ingest", "narrascope.pipeline")) == []
    import narrascope
    from narrascope import IngestError, IngestOptions, Pipeline, load_pipeline, read_documents  # noqa: F401

    assert narrascope.read_documents is read_documents and callable(load_pipeline)


def test_listing_and_counting_stored_documents_needs_no_numpy():
    assert loaded_after("import narrascope.store, narrascope.store.aggregates", ("numpy", "datasketch", "scipy")) == []
