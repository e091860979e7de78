"""Analysis in worker processes on this machine, each holding its own pipeline."""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from narrascope.distributed import default_workers
from narrascope.document import Document
from narrascope.ingest import IngestError
from narrascope.pipeline import Pipeline, PipelineConfig, load_pipeline
from narrascope.runner import analyse_batch_safely

__all__ = ["ProcessExecutor", "limit_threads"]

_THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")

# The pipeline of this worker process, built once by the pool initializer, or why it could not be built.
_pipeline: Pipeline | None = None
_build_error: str | None = None


def limit_threads(threads: int) -> None:
    """Make this process use at most ``threads`` compute threads (BLAS/OpenMP and torch).

    Native libraries read the environment variables when they load; torch, if already loaded, is told directly.
    """
    for variable in _THREAD_VARIABLES:
        os.environ[variable] = str(threads)
    os.environ["TOKENIZERS_PARALLELISM"] = "false"
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(threads)


_PR_SET_PDEATHSIG = 1  # prctl option (linux/prctl.h): a signal this process gets when its parent dies


def exit_with_parent(parent: int) -> None:
    """End this worker when the process that started it dies, even by ``kill -9``: on Linux the kernel sends
    SIGKILL (``PR_SET_PDEATHSIG``); elsewhere a thread watches for the parent to change."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        linux = sys.platform.startswith("linux")
    except (AttributeError, OSError):
        linux = False
    if os.getppid() != parent:  # died before the request above took effect
        os._exit(1)
    if not linux:
        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(0.5)
            os._exit(1)

        threading.Thread(target=watch, daemon=True, name="narrascope-parent-watch").start()


def _init_worker(config: dict[str, Any], threads: int, parent: int) -> None:
    global _pipeline, _build_error
    exit_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle (see runner.RunStop)
    limit_threads(threads)
    try:
        _pipeline = load_pipeline(PipelineConfig.from_dict(config))
    except Exception as exc:  # noqa: BLE001 - a failing initializer would only break the pool; report it instead
        _build_error = f"{type(exc).__name__}: {exc}"


def _analyse(docs: list[Document]) -> tuple[list[Document], list[IngestError]]:
    if _pipeline is None:
        raise RuntimeError(f"a worker could not build the pipeline: {_build_error}")
    return analyse_batch_safely(_pipeline, docs)


class ProcessExecutor:
    """Analyses batches in ``workers`` processes of this machine, results in input order.

    Each worker builds the pipeline ``config`` describes once (as ``load_pipeline(config)``; it travels as plain
    JSON) and uses ``threads_per_worker`` compute threads (default: the cores shared out among the workers). At most
    ``max_pending`` batches (default ``2 * workers``) are in flight, so memory does not grow with the input.
    Workers start with the first batch, so a run with nothing to analyse loads no model. Documents travel
    between processes pickled: plain dataclasses of text, offsets and scores, never model objects. Workers end
    with the parent process, however it ends, and are terminated when a run stops with batches still in flight.
    """

    def __init__(self, config: PipelineConfig, *, workers: int = 2,
                 threads_per_worker: int | None = None, max_pending: int | None = None, start_method: str = "spawn"):
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.config = config
        self.workers = workers
        self.threads_per_worker = threads_per_worker or max(1, default_workers() // workers)
        self.max_pending = max_pending or 2 * workers
        self.start_method = start_method

    def map_batches(self, batches: Iterator[list[Document]]) -> Iterator[tuple[list[Document], list[IngestError]]]:
        pool: ProcessPoolExecutor | None = None
        pending: deque[Future] = deque()
        try:
            for batch in batches:
                if pool is None:
                    pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context(self.start_method),
                                               initializer=_init_worker,
                                               initargs=(self.config.to_dict(), self.threads_per_worker,
                                                         os.getpid()))
                pending.append(pool.submit(_analyse, batch))
                while len(pending) >= self.max_pending:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            if pool is not None:
                # Stopped or failed with batches in flight: nobody will read them, so do not wait for a long document.
                workers = list((pool._processes or {}).values()) if pending else []
                pool.shutdown(wait=not pending, cancel_futures=True)
                for worker in workers:
                    worker.terminate()

