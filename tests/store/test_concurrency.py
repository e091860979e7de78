"""Several processes saving overlapping batches at once: one row per document, annotations never mixed."""

from __future__ import annotations

import multiprocessing
import random

import pytest
from sqlalchemy import text

from narrascope.document import Document, Label, Span
from narrascope.store import Store

N_DOCS = 60
N_WRITERS = 4
ROUNDS = 3


def _version(i: int, writer: int) -> Document:
    """Document ``i`` as written by ``writer``: its meta and every annotation name the writer."""
    body = f"Document {i} as written by writer {writer}. " * 3
    doc = Document(body, id=f"doc-{i:03d}", meta={"writer": writer})
    n = 1 + (i + writer) % 3  # writers disagree on the number of spans too
    doc.add_spans("techniques", [Span(k, k + 5, f"w{writer}") for k in range(n)])
    doc.cats["narratives"] = [Label(f"w{writer}", 0.5, [Span(0, 8, f"w{writer}")])]
    return doc


def _write(url: str, writer: int) -> None:
    rng = random.Random(writer)
    with Store(url) as store:
        for _ in range(ROUNDS):
            ids = list(range(N_DOCS))
            rng.shuffle(ids)
            for start in range(0, N_DOCS, 9):
                store.save([_version(i, writer) for i in ids[start:start + 9]], pipeline_signature=f"sig{writer}")



@pytest.mark.slow  # several writer processes
def test_concurrent_writers_keep_one_consistent_row_per_document(database_url):
    Store(database_url).close()  # migrate before the writers start
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=_write, args=(database_url, w)) for w in range(N_WRITERS)]
    for process in writers:
        process.start()
    for process in writers:
        process.join(timeout=300)
    assert [p.exitcode for p in writers] == [0] * N_WRITERS
    with Store(database_url) as store, store.engine.connect() as conn:
        assert conn.execute(text("select count(*), count(distinct id) from documents")).one() == (N_DOCS, N_DOCS)
        for doc in store.iter_documents():
            writer = doc.meta["writer"]
            assert doc.to_dict() == _version(int(doc.id.split("-")[1]), writer).to_dict()
            assert doc.text.count(f"writer {writer}.") == 3
