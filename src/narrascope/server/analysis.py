"""Running the analysis pipeline for the server: one document at a time synchronously, batches as background jobs.

The pipeline is built on the first analysis request (loading models takes seconds and is not needed to browse);
analyses run one at a time, because pipeline components are not guaranteed to be thread-safe and the machine's
cores are better used by one batch than by competing ones. Uploaded files are read into documents in a separate
process, so extracting the text of a large page never holds the interpreter lock the event loop needs. Jobs live
in memory: a restart forgets them, but every document a job analysed is already in the store.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from narrascope.distributed.processes import exit_with_parent
from narrascope.document import Document
from narrascope.ingest import IngestError, IngestOptions, parse_files
from narrascope.pipeline import Pipeline, PipelineConfig, load_pipeline
from narrascope.runner import RunReport, analyse_into_store
from narrascope.store import Store, analysis_key


class Busy(RuntimeError):
    """The pipeline stayed occupied by a batch job for too long."""


class PipelineUnavailable(RuntimeError):
    """The pipeline could not be built (a server-side problem, not the client's)."""


@dataclass
class Job:
    """Progress and outcome of one batch analysis."""

    id: str
    total: int | None  # None until the job has read its files
    status: Literal["queued", "running", "finished", "failed"] = "queued"
    done: int = 0
    analysed: int = 0
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)
    document_ids: list[str] = field(default_factory=list)
    error: str | None = None
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished_at: datetime | None = None

    @property
    def failed(self) -> int:
        return len(self.problems)


class AnalysisService:
    """Owns the lazily built pipeline, the lock that serialises analyses, and the batch jobs."""

    def __init__(self, store: Store, config: PipelineConfig | None = None, *, max_jobs_kept: int = 100):
        self.store = store
        self.config = config or PipelineConfig()
        self.max_jobs_kept = max_jobs_kept
        self._pipeline: Pipeline | None = None
        self._lock = threading.Lock()
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="narrascope-job")
        self._stop = threading.Event()
        self._reader: ProcessPoolExecutor | None = None
        self._reader_lock = threading.Lock()

    def use_model(self, component: str, model_dir: str, wait: float = 60.0) -> None:
        """Analyse with another model for ``component`` from the next request on (the pipeline is rebuilt then)."""
        if not self._lock.acquire(timeout=wait):
            raise Busy("the analyser is busy with a batch job; try again later")
        try:
            self.config = self.config.with_model(component, model_dir)
            self._pipeline = None
        finally:
            self._lock.release()

    def component_names(self) -> list[str]:
        """The pipeline's components, in order, without building it."""
        if self._pipeline is not None:
            return self._pipeline.names
        return self.config.names()

    @property
    def pipeline_loaded(self) -> bool:
        return self._pipeline is not None

    def pipeline(self) -> Pipeline:
        """The analysis pipeline, built on first use (call with the lock held); a failed build is retried next time."""
        if self._pipeline is None:
            try:
                self._pipeline = load_pipeline(self.config)
            except Exception as exc:  # noqa: BLE001 - missing model files, bad configuration
                raise PipelineUnavailable(f"the analysis pipeline cannot be loaded: {type(exc).__name__}: {exc}") from exc
        return self._pipeline

    def analyse(self, doc: Document, *, save: bool = True, wait: float = 60.0) -> Document:
        """Analyse one document now; with ``save`` it is stored (or, if already stored unchanged, read back).

        Raises :class:`Busy` when a batch job holds the pipeline for longer than ``wait`` seconds.
        """
        if not self._lock.acquire(timeout=wait):
            raise Busy("the analyser is busy with a batch job; try again later")
        try:
            pipeline = self.pipeline()
            if not save:
                return pipeline.run([doc])[0]
            report = analyse_into_store([doc], self.store, pipeline, command_line="narrascope serve: analyse")
        finally:
            self._lock.release()
        if report.problems:
            raise RuntimeError("; ".join(str(p) for p in report.problems))
        stored = self.store.get(doc.id)
        if stored is None:  # pragma: no cover - analyse_into_store either stores the document or reports a problem
            raise RuntimeError(f"document {doc.id} was not stored")
        return stored

    def read_files(self, files: list[tuple[str, bytes]], options: IngestOptions) -> list[Document | IngestError]:
        """The documents of uploaded files (``(name, bytes)``), read in the reader process (started on first use)."""
        with self._reader_lock:
            if self._reader is None:
                self._reader = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                                   initializer=exit_with_parent, initargs=(os.getpid(),))
            reader = self._reader
        try:
            return reader.submit(parse_files, files, options).result()
        except BrokenProcessPool:  # the reader died (out of memory?): the next upload gets a new one
            with self._reader_lock:
                if self._reader is reader:
                    self._reader = None
            raise

    def submit(self, items: list[Document | IngestError] | Callable[[], list[Document | IngestError]]) -> Job:
        """Queue a batch (documents, and input problems to report) for background analysis into the store.

        ``items`` may be a function returning them (e.g. parsing uploaded files), called by the job in the
        background, so slow reading never holds up the caller; the job's ``total`` is known once it has run.
        """
        job = Job(id=uuid.uuid4().hex, total=None if callable(items) else len(items))
        self._jobs[job.id] = job
        while len(self._jobs) > self.max_jobs_kept:
            self._jobs.popitem(last=False)
        self._worker.submit(self._run, job, items)
        return job

    def job(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def jobs(self) -> list[Job]:
        return list(reversed(self._jobs.values()))

    def _run(self, job: Job, items: list[Document | IngestError] | Callable[[], list[Document | IngestError]]) -> None:
        def progress(seen: int, report: RunReport, _analysed: list[Document]) -> None:
            job.done, job.analysed, job.unchanged = seen, report.analysed, report.unchanged
            job.problems = [str(p) for p in report.problems]

        try:
            job.status = "running"
            if callable(items):
                items = items()
                job.total = len(items)
            with self._lock:
                pipeline = self.pipeline()
                report = analyse_into_store(items, self.store, pipeline, on_progress=progress, stop=self._stop,
                                            command_line=f"narrascope serve: job {job.id}")
            progress(len(items), report, [])
            docs = [item for item in items if isinstance(item, Document)]
            stored = self.store.unchanged({d.id: analysis_key(d.content_hash, pipeline.signature) for d in docs})
            job.document_ids = list(dict.fromkeys(d.id for d in docs if d.id in stored))
            job.status = "failed" if report.interrupted else "finished"
            job.error = "interrupted: the server is shutting down" if report.interrupted else None
        except Exception as exc:  # noqa: BLE001 - a failed job reports why instead of dying silently
            job.status = "failed"
            job.error = f"{type(exc).__name__}: {exc}"
        finally:
            job.finished_at = datetime.now(UTC)

    def close(self) -> None:
        """Stop running jobs at their next batch boundary (what is stored stays) and drop queued ones."""
        self._stop.set()
        self._worker.shutdown(wait=True, cancel_futures=True)
        if self._reader is not None:
            self._reader.shutdown(wait=True, cancel_futures=True)
