"""Run the pipeline over a stream of input into the store, resumably.

Documents are analysed and written in batches, each batch in one transaction; documents whose text and pipeline
are unchanged since they were stored are skipped, so re-running an interrupted command resumes where it stopped
without duplicates. The ``executor`` decides where batches are analysed (this process, worker processes, Ray).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from threading import Event
from typing import Protocol

from narrascope.document import Document
from narrascope.ingest import IngestError, UniqueIds
from narrascope.pipeline import Pipeline
from narrascope.store import Store, analysis_key

__all__ = ["RunReport", "Executor", "LocalExecutor", "analyze_into_store", "analyse_batch_safely", "pending_documents"]


@dataclass
class RunReport:
    """What one run did: counts, and every problem with the file/line or document it concerns."""

    run_id: int | None = None
    interrupted: bool = False
    analysed: int = 0
    unchanged: int = 0
    problems: list[IngestError] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.problems)


class Executor(Protocol):
    """Analyses batches of documents; results come back in order, one list per batch."""

    def map_batches(self, batches: Iterator[list[Document]]) -> Iterator[tuple[list[Document], list[IngestError]]]: ...


def analyse_batch_safely(pipeline: Pipeline, docs: list[Document]) -> tuple[list[Document], list[IngestError]]:
    """Analyse a batch; if it fails, retry document by document so one bad document cannot sink the rest."""
    try:
        return pipeline.run(docs), []
    except Exception:  # noqa: BLE001 - isolate the failing document below
        done, problems = [], []
        for doc in docs:
            try:
                done.extend(pipeline.run([doc]))
            except Exception as exc:  # noqa: BLE001 - reported, the run goes on
                problems.append(IngestError(doc.meta.get("path") or doc.id, f"analysis failed: {exc!r}", doc.meta.get("line")))
        return done, problems


class LocalExecutor:
    """Analyses batches in this process."""

    def __init__(self, pipeline: Pipeline):
        self.pipeline = pipeline

    def map_batches(self, batches: Iterator[list[Document]]) -> Iterator[tuple[list[Document], list[IngestError]]]:
        for batch in batches:
            yield analyse_batch_safely(self.pipeline, batch)


def pending_documents(
    chunk: list[Document | IngestError], store: Store, signature: str, ids: UniqueIds, report: RunReport
) -> list[Document]:
    """The documents of ``chunk`` still to store under ``signature``; input errors and id clashes go to
    ``report.problems``, documents already stored unchanged to ``report.unchanged``, the same input read twice
    is kept once."""
    docs: dict[str, Document] = {}
    for item in chunk:
        problem = item if isinstance(item, IngestError) else ids.clash(item)
        if problem:
            report.problems.append(problem)
        else:
            docs[item.id] = item
    done = store.unchanged({d.id: analysis_key(d.content_hash, signature) for d in docs.values()})
    report.unchanged += len(done)
    return [d for d in docs.values() if d.id not in done]


def analyze_into_store(
    items: Iterable[Document | IngestError],
    store: Store,
    pipeline: Pipeline,
    *,
    executor: Executor | None = None,
    batch_size: int = 32,
    taxonomy_version: str | None = None,
    command_line: str | None = None,
    on_progress: Callable[[int, RunReport, list[Document]], None] | None = None,
    stop: Event | None = None,
) -> RunReport:
    """Analyse everything in ``items`` not already stored with the same pipeline, and store it.

    ``on_progress(n_documents_seen, report, analysed_docs)`` is called after each batch. Setting ``stop`` (e.g. from a
    signal handler) ends the run at the next batch boundary, marked ``interrupted``; a hard kill loses at most the
    batches in flight, since every batch is committed whole or not at all. A document whose id another input of
    this run already took is reported as a problem and skipped, never stored over the first.
    """
    executor = executor or LocalExecutor(pipeline)
    signature = pipeline.signature
    report = RunReport()
    report.run_id = store.begin_run(pipeline.describe(), signature, taxonomy_version=taxonomy_version,
                                    command_line=command_line)
    seen = 0
    ids = UniqueIds()

    def pending_batches() -> Iterator[list[Document]]:
        nonlocal seen
        stream = iter(items)
        while not (stop and stop.is_set()) and (chunk := list(islice(stream, batch_size))):
            seen += len(chunk)
            todo = pending_documents(chunk, store, signature, ids, report)
            if todo:
                yield todo
            elif on_progress:
                on_progress(seen, report, [])

    status = "failed"
    try:
        for analysed, problems in executor.map_batches(pending_batches()):
            store.save(analysed, pipeline_signature=signature, run_id=report.run_id)
            report.analysed += len(analysed)
            report.problems.extend(problems)
            if on_progress:
                on_progress(seen, report, analysed)
        report.interrupted = bool(stop and stop.is_set())
        status = "interrupted" if report.interrupted else "finished"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        store.finish_run(report.run_id, status=status, analysed=report.analysed, unchanged=report.unchanged,
                         failed=report.failed)
    return report
