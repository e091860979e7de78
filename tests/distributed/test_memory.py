"""Memory stays flat however long the input stream: a generator of many small documents through the workers."""

from __future__ import annotations

import pytest

from narrascope.distributed.memory import rss_mb, tree_rss_mb
from narrascope.distributed.processes import ProcessExecutor
from narrascope.document import Document
from narrascope.pipeline import PipelineConfig, load_pipeline
from narrascope.runner import analyse_into_store
from narrascope.store import Store

pytestmark = pytest.mark.slow  # about two minutes: 20,000 documents through worker processes

N_DOCS = 20_000
WARM_UP = 4_000


def _stream(n: int):
    for i in range(n):
        yield Document(text=f"Headline number {i}\n\nA small article body {i}. It has two sentences.", id=f"d{i}")


def test_memory_is_flat_over_a_long_stream(tmp_path):
    samples: list[tuple[int, float, float]] = []

    def sample(seen, _report, _docs):
        if seen % 1000 == 0:
            samples.append((seen, rss_mb(), tree_rss_mb()))

    executor = ProcessExecutor(PipelineConfig(components=["segmenter", "sentences"]), workers=2)
    with Store(str(tmp_path / "stream.db")) as store:
        report = analyse_into_store(_stream(N_DOCS), store, load_pipeline(["segmenter", "sentences"]),
                                    executor=executor, batch_size=100, on_progress=sample)
        assert report.analysed == N_DOCS and store.count() == N_DOCS
    warm = [s for s in samples if s[0] >= WARM_UP]
    assert len(warm) >= 10
    main_growth = max(s[1] for s in warm) - warm[0][1]
    tree_growth = max(s[2] for s in warm) - warm[0][2]
    # Holding the stream would cost tens of MiB here (20,000 documents with their layers); flat is a few MiB of noise.
    assert main_growth < 15, samples
    assert tree_growth < 30, samples
