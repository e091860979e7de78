"""The store on a real PostgreSQL server: the SQLite store tests again, plus what only PostgreSQL exercises."""

from __future__ import annotations

import importlib.util
import multiprocessing
from pathlib import Path

import pytest
from sqlalchemy import text

from narrascope.document import Document, Label
from narrascope.store import Store

pytestmark = pytest.mark.postgres

# Every store test of test_store.py runs here too, against the ``store`` fixture below.
_spec = importlib.util.spec_from_file_location("_store_tests_on_postgres", Path(__file__).with_name("test_store.py"))
_store_tests = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_store_tests)
globals().update({name: value for name, value in vars(_store_tests).items()
                  if name.startswith("test_") and name != "test_schema_is_migrated_once_and_versioned"})


@pytest.fixture
def store(postgres_url):
    with Store(postgres_url) as s:
        yield s


def test_schema_has_query_indexes_and_migrates_once(postgres_url):
    Store(postgres_url).close()
    with Store(postgres_url) as again, again.engine.connect() as conn:
        assert conn.execute(text("select version_num from alembic_version")).scalar() == "0008"  # the newest migration
        indexes = set(conn.execute(text("select indexname from pg_indexes where schemaname = 'public'")).scalars())
    assert {"ix_annotations_layer_label_document", "ix_annotations_entity_lower", "ix_documents_published_id",
            "ix_documents_source_published", "ix_documents_content_hash", "ix_copy_bands_document",
            "ix_documents_search", "ix_documents_facets", "ix_corrections_document_current"} <= indexes


def test_label_filter_uses_an_index(store):
    docs = []
    for i in range(2000):
        doc = Document(f"Text {i}.", id=f"d{i}")
        doc.cats["narratives"] = [Label(f"N{i % 50}", 0.5)]
        docs.append(doc)
    store.save(docs, pipeline_signature="sig")
    with store.engine.begin() as conn:
        conn.execute(text("ANALYZE"))
        conn.execute(text("SET LOCAL enable_seqscan = off"))  # judge index usability, not the planner's costs
        plan = "\n".join(conn.execute(text(
            "EXPLAIN SELECT count(DISTINCT document_id) FROM annotations WHERE layer = 'narratives' AND label = 'N7'"
        )).scalars())
    assert "ix_annotations_layer_label" in plan


def _analyse_run(url: str, first: int, last: int) -> int:
    from narrascope.pipeline import load_pipeline
    from narrascope.runner import analyse_into_store

    docs = [Document(text=f"Title {i}\n\nSentence one of {i}. Sentence two of {i}.", id=f"doc-{i}")
            for i in range(first, last)]
    with Store(url) as store:
        return analyse_into_store(docs, store, load_pipeline(["segmenter", "sentences"]), batch_size=7).analysed


def test_concurrent_analyse_runs_neither_lose_nor_duplicate(postgres_url):
    Store(postgres_url).close()  # migrate once before the writers start
    ranges = [(0, 120), (60, 180), (100, 200), (0, 200)]  # overlapping on purpose
    with multiprocessing.get_context("spawn").Pool(len(ranges)) as pool:
        analysed = pool.starmap(_analyse_run, [(postgres_url, a, b) for a, b in ranges])
    assert sum(analysed) >= 200
    with Store(postgres_url) as store, store.engine.connect() as conn:
        assert conn.execute(text("select count(*), count(distinct id) from documents")).one() == (200, 200)
        per_doc = conn.execute(text("select document_id, count(*) from annotations where layer = 'segments' "
                                    "group by document_id")).all()
        assert len(per_doc) == 200 and {n for _, n in per_doc} == {2}  # title + body, never doubled
        assert all(run["status"] == "finished" for run in store.runs())


def test_full_text_search_uses_the_gin_index(store):
    from narrascope.store import DocumentFilter
    from narrascope.store.schema import DocumentRow

    store.save([Document(f"Article {i} about topic{i % 100}.", id=f"d{i}") for i in range(2000)], pipeline_signature="s")
    query = store.filtered_query(DocumentFilter(text='"about topic7" OR topic8'))
    with store.engine.begin() as conn:
        conn.execute(text("ANALYZE"))
        conn.execute(text("SET LOCAL enable_seqscan = off"))
        sql = query.with_only_columns(DocumentRow.id).compile(store.engine, compile_kwargs={"literal_binds": True})
        plan = "\n".join(conn.exec_driver_sql(f"EXPLAIN {sql}").scalars())
    assert "ix_documents_search" in plan
    assert store.count(DocumentFilter(text='"about topic7" OR topic8')) == 40
