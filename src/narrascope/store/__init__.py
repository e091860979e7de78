"""Persistent store of analysed documents: SQLite by default, PostgreSQL via a ``postgresql://`` URL.

Writes happen in batches, each in one transaction, so an interrupted run leaves whole documents or none;
re-analysing a document whose text and pipeline are unchanged is skipped (``Store.unchanged``). Re-analysing a
document with fewer analysers replaces only the layers they wrote; the others stay (``Document.produced_by`` says
which analyser wrote each).
"""

from __future__ import annotations

from narrascope.store.corpus import CorpusQueries
from narrascope.store.database import default_db_url, normalise_db_url
from narrascope.store.filters import DocumentFilter, FilterError
from narrascope.store.rows import StoredVersion, analysis_key, storable_problem
from narrascope.store.runs import RunLog

__all__ = ["Store", "DocumentFilter", "FilterError", "StoredVersion", "default_db_url", "normalise_db_url", "analysis_key",
           "storable_problem"]


class Store(RunLog, CorpusQueries):
    """Documents, runs and annotations in one SQL database.

    Its parts, one module each: the database and its schema (:mod:`~narrascope.store.database`), the run log
    (:mod:`~narrascope.store.runs`), documents and corrections (:mod:`~narrascope.store.documents`) and questions
    about the corpus (:mod:`~narrascope.store.corpus`); filters in :mod:`~narrascope.store.filters`, rows in
    :mod:`~narrascope.store.rows`.
    """
