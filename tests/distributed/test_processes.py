"""Worker processes give exactly the single-process results, in order, with clear errors."""

from __future__ import annotations

from itertools import islice

import pytest

from narrascope.distributed import build_executor
from narrascope.distributed.processes import ProcessExecutor
from narrascope.document import Document
from narrascope.pipeline import PipelineConfig, load_pipeline
from narrascope.runner import analyse_into_store
from narrascope.store import Store
from tests.distributed.conftest import assert_store_ran_the_model, configured_pipeline

pytestmark = pytest.mark.slow  # worker processes, each loading the models


def batches(docs: list[Document], size: int):
    it = iter(docs)
    while chunk := list(islice(it, size)):
        yield chunk


def test_process_results_identical_to_in_process(names, corpus):
    reference = load_pipeline(names).run(corpus())
    executor = ProcessExecutor(PipelineConfig(components=names), workers=2, max_pending=2)
    results = list(executor.map_batches(batches(corpus(), 5)))
    assert all(problems == [] for _, problems in results)
    got = [doc for docs, _ in results for doc in docs]
    assert [d.id for d in got] == [d.id for d in reference]
    assert [d.to_dict() for d in got] == [d.to_dict() for d in reference]
    assert all(d.spans.get("sentences") for d in got)


def test_store_contents_identical_through_workers(names, corpus, tmp_path):
    pipeline = load_pipeline(names)
    with Store(str(tmp_path / "local.db")) as local, Store(str(tmp_path / "workers.db")) as workers:
        analyse_into_store(corpus(), local, pipeline, batch_size=4)
        report = analyse_into_store(corpus(), workers, pipeline, batch_size=4, executor=build_executor(2, None, PipelineConfig(components=names)))
        assert report.analysed == len(corpus()) and not report.problems
        assert [d.to_dict() for d in workers.iter_documents()] == [d.to_dict() for d in local.iter_documents()]
        # A second run finds everything unchanged.
        again = analyse_into_store(corpus(), workers, pipeline, executor=build_executor(2, None, PipelineConfig(components=names)))
        assert again.analysed == 0 and again.unchanged == len(corpus())


def test_build_executor_in_process_for_one_worker():
    assert build_executor(1, None, PipelineConfig(components=["segmenter"])) is None
    executor = build_executor(3, None, PipelineConfig(components=["segmenter"]))
    assert isinstance(executor, ProcessExecutor) and executor.workers == 3 and executor.threads_per_worker >= 1


def test_failing_document_is_reported_not_fatal(corpus):
    docs = corpus(1)
    docs[2].spans["segments"] = ["not a span"]  # the language analyser cannot read this document's content
    results = list(ProcessExecutor(PipelineConfig(components=["language"]), workers=2).map_batches(batches(docs, 4)))
    analysed = [d.id for batch, _ in results for d in batch]
    problems = [p for _, batch in results for p in batch]
    assert analysed == [d.id for d in docs if d.id != docs[2].id]
    assert len(problems) == 1 and problems[0].path == docs[2].id and "analysis failed" in problems[0].message


def test_pipeline_that_cannot_be_built_fails_loudly(corpus):
    executor = ProcessExecutor(PipelineConfig(components=["no-such-analyser"]), workers=2)
    with pytest.raises(RuntimeError, match="no-such-analyser"):
        list(executor.map_batches(batches(corpus(1), 4)))


def test_workers_load_the_model_folder_the_configuration_names(toy_techniques, corpus, tmp_path):
    """Issue 17: workers got component names and a loose dict; now the driver's configuration, model folders
    resolved, so a run with a non-default model gives the in-process results with that model."""
    pipeline = configured_pipeline(toy_techniques)
    with Store(str(tmp_path / "local.db")) as local, Store(str(tmp_path / "workers.db")) as workers:
        analyse_into_store(corpus(), local, pipeline, batch_size=4)
        report = analyse_into_store(corpus(), workers, pipeline, batch_size=4,
                                    executor=build_executor(2, None, pipeline.config))
        assert report.analysed == len(corpus()) and not report.problems
        assert [d.to_dict() for d in workers.iter_documents()] == [d.to_dict() for d in local.iter_documents()]
        assert_store_ran_the_model(workers, toy_techniques)
