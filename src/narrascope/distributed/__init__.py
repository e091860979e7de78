"""Running the analysis beyond one process: worker processes on this machine, or a Ray cluster.

Every executor here implements the runner's :class:`~narrascope.runner.Executor` protocol: batches of documents go
in, analysed batches come out in the same order, with at most a few batches in flight so memory stays flat
whatever the corpus size. Workers receive the pipeline configuration as plain JSON
(:class:`~narrascope.pipeline.PipelineConfig`), never a built pipeline, and each builds its pipeline (loads its
models) once.
"""

from __future__ import annotations

import os

from narrascope.pipeline import PipelineConfig
from narrascope.runner import Executor

__all__ = ["build_executor", "default_workers", "LOCAL_RAY"]

# ``--ray`` given without an address: start a Ray cluster on this machine for the run.
LOCAL_RAY = "local"


def default_workers() -> int:
    """The number of CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def build_executor(workers: int | None, ray: str | None, config: PipelineConfig) -> Executor | None:
    """The executor for ``analyze --workers N`` / ``analyze --ray [ADDRESS]``; ``None`` means "in this process".

    ``workers=None`` uses every available core; one worker runs in this process. ``ray`` is a Ray address
    (``auto``, ``ray://head:10001``) or :data:`LOCAL_RAY` (or ``""``) to start a local cluster; with Ray,
    ``workers`` is the number of actors (default: the cluster's CPUs). Each worker builds its pipeline as
    ``load_pipeline(config)``; pass the driver's ``pipeline.config`` so every worker builds the same components
    with the same chosen model folders and options.
    """
    if ray is not None:
        from narrascope.distributed.ray_runner import RayExecutor

        return RayExecutor(config, address=None if ray in ("", LOCAL_RAY) else ray, num_actors=workers)
    n = default_workers() if workers is None else workers
    if n <= 1:
        return None
    from narrascope.distributed.processes import ProcessExecutor

    return ProcessExecutor(config, workers=n)
