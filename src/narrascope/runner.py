"""Run the pipeline over a stream of input into the store, resumably.

Documents are analysed and written in batches, each batch in one transaction; documents whose text and pipeline
are unchanged since they were stored are skipped, so re-running an interrupted command resumes where it stopped
without duplicates. The ``executor`` decides where batches are analysed (this process, worker processes, Ray).
A document that fails in an analyser or in the store is reported and the rest of its batch goes on.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from itertools import islice
from threading import Event
from typing import Any, Literal, Protocol

from sqlalchemy.exc import SQLAlchemyError

from narrascope.document import Document
from narrascope.ingest import IngestError, UniqueIds
from narrascope.ingest.metadata import METADATA_FIELDS, is_default, metadata_of, provenance, set_field
from narrascope.pipeline import Pipeline
from narrascope.store import Store, StoredVersion, analysis_key, storable_problem

__all__ = ["RunReport", "Executor", "LocalExecutor", "RunStop", "RunInterrupted", "OnConflict", "ON_CONFLICT",
           "analyse_into_store", "analyse_batch_safely", "pending_documents", "save_batch_safely"]

OnConflict = Literal["skip", "replace", "keep-both"]
ON_CONFLICT: tuple[OnConflict, ...] = ("skip", "replace", "keep-both")


@dataclass
class RunReport:
    """What one run did: counts, every problem with the file/line or document it concerns, and notices (documents
    stored over or beside another one with the same id). ``on_found(kind, item)`` hears of each problem
    (``kind`` "problem") and notice ("notice") as soon as it is found."""

    run_id: int | None = None
    interrupted: bool = False
    analysed: int = 0
    unchanged: int = 0
    conflicts: int = 0  # documents whose id was already stored with other text from another file
    metadata_updated: int = 0  # unchanged documents whose metadata (outlet, url, date, author) was updated
    problems: list[IngestError] = field(default_factory=list)
    notices: list[IngestError] = field(default_factory=list)
    on_found: Callable[[str, IngestError], None] | None = field(default=None, repr=False)

    @property
    def failed(self) -> int:
        return len(self.problems)

    def add_problem(self, problem: IngestError) -> None:
        self.problems.append(problem)
        if self.on_found:
            self.on_found("problem", problem)

    def add_notice(self, notice: IngestError) -> None:
        self.notices.append(notice)
        if self.on_found:
            self.on_found("notice", notice)


class RunInterrupted(BaseException):
    """Raised in the main thread when a stop is requested while a batch is being analysed (not an ``Exception``, so
    the per-document retry of a failing batch does not swallow it)."""


class RunStop(Event):
    """A stop request for a run that a signal handler can make: at a batch boundary the run just ends; while a batch
    is being analysed, :meth:`request` raises :class:`RunInterrupted` at once, so even a very long document does not
    hold the run (that batch is dropped and done again on resume; every stored batch stays)."""

    def __init__(self) -> None:
        super().__init__()
        self.analysing = False

    def request(self) -> None:
        """Ask the run to stop; call from a signal handler (main thread)."""
        self.set()
        if self.analysing and threading.current_thread() is threading.main_thread():
            self.analysing = False
            raise RunInterrupted

    @contextmanager
    def while_analysing(self) -> Iterator[None]:
        """Mark the enclosed code as interruptible at once."""
        if self.is_set():
            raise RunInterrupted
        self.analysing = True
        try:
            yield
        finally:
            self.analysing = False


class Executor(Protocol):
    """Analyses batches of documents; results come back in order, one list per batch."""

    def map_batches(self, batches: Iterator[list[Document]]) -> Iterator[tuple[list[Document], list[IngestError]]]: ...


def _problem(doc: Document, message: str) -> IngestError:
    """A problem with one document, named by the file and line it was read from (else by its id)."""
    return IngestError(doc.meta.get("path") or doc.id, message, doc.meta.get("line"))


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
                problems.append(_problem(doc, f"analysis failed: {exc!r}"))
        return done, problems


class LocalExecutor:
    """Analyses batches in this process."""

    def __init__(self, pipeline: Pipeline):
        self.pipeline = pipeline

    def map_batches(self, batches: Iterator[list[Document]]) -> Iterator[tuple[list[Document], list[IngestError]]]:
        for batch in batches:
            yield analyse_batch_safely(self.pipeline, batch)


def save_batch_safely(store: Store, docs: list[Document], *, pipeline_signature: str,
                      run_id: int | None) -> tuple[list[Document], list[IngestError]]:
    """Store a batch in one transaction; if the database refuses it, store document by document so one bad
    document cannot sink the rest. Returns the documents stored and a problem for each refused one."""
    try:
        store.save(docs, pipeline_signature=pipeline_signature, run_id=run_id)
        return docs, []
    except SQLAlchemyError:
        saved, problems = [], []
        for doc in docs:
            try:
                store.save([doc], pipeline_signature=pipeline_signature, run_id=run_id)
                saved.append(doc)
            except SQLAlchemyError as exc:
                reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
                problems.append(_problem(doc, f"cannot be stored: {reason}"))
        return saved, problems


def pending_documents(
    chunk: list[Document | IngestError], store: Store, signature: str, ids: UniqueIds, report: RunReport,
    on_conflict: OnConflict = "skip",
) -> list[Document]:
    """The documents of ``chunk`` still to store under ``signature``.

    Input errors, id clashes within the run and documents the store cannot hold go to ``report.problems``;
    documents already stored unchanged to ``report.unchanged``; the same input read twice is kept once. A document
    whose id is already stored with different text read from another file is a conflict, settled by
    ``on_conflict``: ``skip`` it (reported as a problem), ``replace`` the stored one, or ``keep-both`` by storing
    the new one under ``<id>~<hash of its text>``; replacing and keeping both are reported as notices. The same
    file with edited text is an update, not a conflict. New metadata of an unchanged document is stored at once
    without analysing it again (``report.metadata_updated``); metadata the new input lacks is kept from the store.
    """
    docs: dict[str, Document] = {}
    for item in chunk:
        if isinstance(item, IngestError):
            report.add_problem(item)
            continue
        problem = ids.clash(item)
        if problem is None and (reason := storable_problem(item)):
            problem = _problem(item, reason)
        if problem:
            report.add_problem(problem)
        else:
            docs[item.id] = item
    stored = store.stored(docs)
    todo: list[Document] = []
    metadata: dict[str, dict[str, Any]] = {}
    for doc in docs.values():
        old = stored.get(doc.id)
        origin = doc.meta.get("path")
        if old and old.content_hash != doc.content_hash and old.origin and origin and old.origin != origin:
            where = f"document id {doc.id!r} is already stored with different text, read from {old.origin}"
            report.conflicts += 1
            if on_conflict == "skip":
                report.add_problem(_problem(doc, f"{where}; this one is skipped (--on-conflict replace stores it "
                                                 "over that one, keep-both beside it)"))
                continue
            if on_conflict == "keep-both":
                renamed = f"{doc.id}~{doc.content_hash[:8]}"
                report.add_notice(_problem(doc, f"{where}; this one is stored beside it as {renamed!r}"))
                doc.id = renamed
            else:
                report.add_notice(_problem(doc, f"{where}; replaced by this one (--on-conflict replace)"))
        elif old:
            changed = _keep_stored_metadata(doc, old)
            if old.analysis_key == analysis_key(doc.content_hash, signature):
                report.unchanged += 1
                if changed:
                    metadata[doc.id] = changed
                continue
        todo.append(doc)
    report.metadata_updated += len(store.update_metadata(metadata))
    renamed_done = store.unchanged({d.id: analysis_key(d.content_hash, signature) for d in todo if d.id not in docs})
    report.unchanged += len(renamed_done)
    return [d for d in todo if d.id not in renamed_done]


def _keep_stored_metadata(doc: Document, old: StoredVersion) -> dict[str, Any]:
    """Complete ``doc``'s metadata with what is stored for it: new input never erases a stored outlet, url, date or
    author, and a default (``--outlet``/``--date``, the URL's domain) never replaces one. Returns the fields that
    change, with their provenance under ``metadata_from``."""
    stored, stored_from = old.metadata, old.metadata.get("metadata_from") or {}
    new_from = provenance(doc)
    for name in METADATA_FIELDS:
        if name in stored and (name not in metadata_of(doc) or is_default(new_from.get(name))):
            set_field(doc, name, stored[name], stored_from.get(name))
    changed: dict[str, Any] = {k: v for k, v in metadata_of(doc).items() if stored.get(k) != v}
    if changed:
        changed["metadata_from"] = {k: v for k, v in provenance(doc).items() if k in changed}
    return changed


def analyse_into_store(
    items: Iterable[Document | IngestError],
    store: Store,
    pipeline: Pipeline,
    *,
    executor: Executor | None = None,
    batch_size: int = 32,
    taxonomy_version: str | None = None,
    command_line: str | None = None,
    on_progress: Callable[[int, RunReport, list[Document]], None] | None = None,
    on_found: Callable[[str, IngestError], None] | None = None,
    stop: Event | None = None,
    on_conflict: OnConflict = "skip",
) -> RunReport:
    """Analyse everything in ``items`` not already stored with the same pipeline, and store it.

    ``on_progress(n_documents_seen, report, analysed_docs)`` is called after each batch and ``on_found`` as soon as
    a problem or notice is found (see :class:`RunReport`). Setting ``stop`` ends the run at the next batch boundary, marked
    ``interrupted``; a :class:`RunStop` requested while a batch is analysed ends it at once, dropping that batch. A hard kill loses at most the batches in flight, since every
    batch is committed whole or not at all, and the run's counts are recorded after each batch. A document whose id
    another input of this run already took is reported and skipped; one whose id is stored from another file is
    settled by ``on_conflict`` (see :func:`pending_documents`).
    """
    executor = executor or LocalExecutor(pipeline)
    signature = pipeline.signature
    report = RunReport(on_found=on_found)
    run_id = report.run_id = store.begin_run(pipeline.describe(), signature, config=pipeline.config.to_dict(),
                                             taxonomy_version=taxonomy_version, command_line=command_line)
    seen = 0
    ids = UniqueIds()

    def pending_batches() -> Iterator[list[Document]]:
        nonlocal seen
        stream = iter(items)
        while not (stop and stop.is_set()) and (chunk := list(islice(stream, batch_size))):
            seen += len(chunk)
            todo = pending_documents(chunk, store, signature, ids, report, on_conflict)
            if todo:
                yield todo
            else:
                store.record_progress(run_id, analysed=report.analysed, unchanged=report.unchanged,
                                      failed=report.failed)
                if on_progress:
                    on_progress(seen, report, [])

    status = "failed"
    try:
        results = executor.map_batches(pending_batches())
        while True:
            with stop.while_analysing() if isinstance(stop, RunStop) else nullcontext():
                result = next(results, None)
            if result is None:
                break
            analysed, problems = result
            for problem in problems:
                report.add_problem(problem)
            saved, refused = save_batch_safely(store, analysed, pipeline_signature=signature, run_id=report.run_id)
            report.analysed += len(saved)
            for problem in refused:
                report.add_problem(problem)
            store.record_progress(run_id, analysed=report.analysed, unchanged=report.unchanged,
                                  failed=report.failed)
            if on_progress:
                on_progress(seen, report, saved)
        report.interrupted = bool(stop and stop.is_set())
        status = "interrupted" if report.interrupted else "finished"
    except RunInterrupted:
        status = "interrupted"
        report.interrupted = True
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        store.finish_run(run_id, status=status, analysed=report.analysed, unchanged=report.unchanged,
                         failed=report.failed)
    return report
