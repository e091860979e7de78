"""Analysis on a Ray cluster: actors each holding one pipeline, fed batches by the driver or input files directly.

Ray is an optional dependency (``pip install narrascope[ray]``), imported only when a Ray run starts. With no
address a Ray cluster is started on this machine for the run and stopped afterwards; with an address
(``auto``, ``ray://head:10001``) the run joins that cluster, whose nodes must have narrascope installed.
"""

from __future__ import annotations

import json
import os
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from narrascope.distributed.shards import shard_name, write_manifest
from narrascope.document import Document
from narrascope.ingest import IngestError, IngestOptions, find_files, id_for_file, read_file
from narrascope.pipeline import PipelineConfig, load_pipeline
from narrascope.runner import analyse_batch_safely

__all__ = ["RayExecutor", "analyse_to_shards", "import_ray"]

def import_ray() -> Any:
    """The ``ray`` module, or an error saying how to install it."""
    try:
        import ray
    except ImportError as exc:
        raise RuntimeError("Ray runs need the optional Ray dependency: pip install 'narrascope[ray]'") from exc
    return ray


class PipelineActor:
    """A Ray actor holding one pipeline, built once from its configuration (``PipelineConfig.to_dict()``)."""

    def __init__(self, config: dict[str, Any], threads: int):
        from narrascope.distributed.processes import limit_threads

        limit_threads(threads)
        self.pipeline = load_pipeline(PipelineConfig.from_dict(config))

    def describe(self) -> tuple[list[dict[str, str]], str, dict[str, Any]]:
        return self.pipeline.describe(), self.pipeline.signature, self.pipeline.config.to_dict()

    def analyse(self, docs: list[Document]) -> tuple[list[Document], list[IngestError]]:
        return analyse_batch_safely(self.pipeline, docs)

    def analyse_file(
        self, path: str, doc_id: str, out_dir: str, batch_size: int, options: IngestOptions | None
    ) -> dict[str, Any]:
        """Read one input file (a .txt/.html document gets the id ``doc_id``), analyse it and write the results as
        a JSONL shard (one document per line).

        The shard is written under a temporary name and renamed when complete, so a shard either exists
        whole or not at all and an interrupted run can be resumed by skipping the finished files.
        """
        shard = Path(out_dir) / shard_name(path)
        partial = shard.with_suffix(".partial")
        analysed, problems = 0, []
        with partial.open("w", encoding="utf-8") as out:
            batch: list[Document] = []
            for item in read_file(Path(path), options or IngestOptions(), file_id=doc_id):
                if isinstance(item, IngestError):
                    problems.append(item)
                    continue
                batch.append(item)
                if len(batch) == batch_size:
                    analysed += self._write(batch, out, problems)
                    batch = []
            analysed += self._write(batch, out, problems)
        partial.replace(shard)
        return {"path": path, "shard": str(shard), "analysed": analysed, "problems": problems}

    def _write(self, batch: list[Document], out: Any, problems: list[IngestError]) -> int:
        if not batch:
            return 0
        done, failed = analyse_batch_safely(self.pipeline, batch)
        problems.extend(failed)
        for doc in done:
            out.write(json.dumps(doc.to_dict(), ensure_ascii=False) + "\n")
        return len(done)


@contextmanager
def _connected(address: str | None, num_cpus: int | None) -> Iterator[Any]:
    """Ray, initialised for the duration of the block unless the caller already did."""
    ray = import_ray()
    if ray.is_initialized():
        yield ray
        return
    if address is None:
        # A local cluster: its workers must import this same narrascope, installed or not.
        package_root = str(Path(__file__).resolve().parents[2])
        python_path = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p)
        ray.init(num_cpus=num_cpus, include_dashboard=False, log_to_driver=False,
                 runtime_env={"env_vars": {"PYTHONPATH": python_path}})
    else:
        ray.init(address=address, log_to_driver=False)
    try:
        yield ray
    finally:
        ray.shutdown()


def _start_actors(ray: Any, config: PipelineConfig, num_actors: int | None, threads: int) -> list[Any]:
    if num_actors is None:
        num_actors = max(1, int(ray.cluster_resources().get("CPU", 1)) // threads)
    actor_class = ray.remote(num_cpus=threads)(PipelineActor)
    return [actor_class.remote(config.to_dict(), threads) for _ in range(num_actors)]


class RayExecutor:
    """Analyses batches on Ray actors that each hold the pipeline; results come back in input order.

    ``address=None`` starts a local Ray cluster (``num_cpus`` CPUs, default all) for the run. ``num_actors``
    defaults to the cluster's CPUs divided by ``threads_per_actor``. At most ``max_pending`` batches (default two
    per actor) are in flight, and each goes to the actor with the fewest batches queued.
    """

    def __init__(self, config: PipelineConfig, *, address: str | None = None, num_actors: int | None = None, threads_per_actor: int = 1,
                 num_cpus: int | None = None, max_pending: int | None = None):
        self.config = config
        self.address = address
        self.num_actors = num_actors
        self.threads_per_actor = threads_per_actor
        self.num_cpus = num_cpus
        self.max_pending = max_pending

    def map_batches(self, batches: Iterator[list[Document]]) -> Iterator[tuple[list[Document], list[IngestError]]]:
        batches = iter(batches)
        first = next(batches, None)
        if first is None:  # nothing to analyse: do not start a cluster
            return
        with _connected(self.address, self.num_cpus) as ray:
            actors = _start_actors(ray, self.config, self.num_actors, self.threads_per_actor)
            limit = self.max_pending or 2 * len(actors)
            load = dict.fromkeys(range(len(actors)), 0)
            pending: deque[tuple[Any, int]] = deque()
            try:
                for batch in _chain(first, batches):
                    index = min(load, key=load.__getitem__)
                    pending.append((actors[index].analyse.remote(batch), index))
                    load[index] += 1
                    while len(pending) >= limit:
                        yield self._collect(ray, pending, load)
                while pending:
                    yield self._collect(ray, pending, load)
            finally:
                for actor in actors:
                    ray.kill(actor)

    @staticmethod
    def _collect(ray: Any, pending: deque, load: dict[int, int]) -> tuple[list[Document], list[IngestError]]:
        ref, index = pending.popleft()
        load[index] -= 1
        return ray.get(ref)


def _chain(first: list[Document], rest: Iterator[list[Document]]) -> Iterator[list[Document]]:
    yield first
    yield from rest


def input_files(inputs: Iterable[str | Path], options: IngestOptions | None = None
                ) -> tuple[list[tuple[str, str]], list[IngestError]]:
    """The files a run reads, as (absolute path, document id for .txt/.html): files as given, folders expanded
    and ids given as ``read_documents`` does; and the folders and links that could not be read."""
    options = options or IngestOptions()
    files: list[tuple[str, str]] = []
    problems: list[IngestError] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            for found in find_files(path, options):
                if isinstance(found, IngestError):
                    problems.append(found)
                else:
                    files.append((str(found.resolve()), id_for_file(found, path, options)))
        else:
            files.append((str(path.resolve()), path.name))
    return files, problems


def analyse_to_shards(
    inputs: Iterable[str | Path],
    out_dir: str | Path,
    config: PipelineConfig,
    *,
    address: str | None = None,
    num_actors: int | None = None,
    threads_per_actor: int = 1,
    num_cpus: int | None = None,
    batch_size: int = 32,
    options: IngestOptions | None = None,
) -> dict[str, Any]:
    """Analyse input files on Ray, each actor reading files itself and writing one JSONL shard per file.

    Input paths and ``out_dir`` must be visible under the same names on every node (a shared file system).
    Files whose shard already exists are skipped, so re-running resumes. Load the shards into a store with
    ``narrascope import OUT_DIR``. Returns counts, the problems met, and the pipeline description.
    """
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    found, unreadable = input_files(inputs, options)
    files = [(f, i) for f, i in found if not (out / shard_name(f)).exists()]
    summary: dict[str, Any] = {"files": len(files), "analysed": 0, "problems": unreadable, "shards": []}
    with _connected(address, num_cpus) as ray:
        actors = _start_actors(ray, config, num_actors, threads_per_actor)
        try:
            describe, signature, built = ray.get(actors[0].describe.remote())
            write_manifest(out, describe, signature, built)
            idle = list(actors)
            running: dict[Any, Any] = {}
            queue = deque(files)
            while queue or running:
                while queue and idle:
                    actor = idle.pop()
                    path, doc_id = queue.popleft()
                    running[actor.analyse_file.remote(path, doc_id, str(out), batch_size, options)] = actor
                (ref,), _ = ray.wait(list(running), num_returns=1)
                idle.append(running.pop(ref))
                result = ray.get(ref)
                summary["analysed"] += result["analysed"]
                summary["problems"].extend(result["problems"])
                summary["shards"].append(result["shard"])
        finally:
            for actor in actors:
                ray.kill(actor)
    summary["pipeline"], summary["pipeline_signature"], summary["config"] = describe, signature, built
    return summary
