"""Result shards: JSONL files of analysed documents (one ``Document.to_dict()`` per line) written by cluster
workers, and loading them into a store (``narrascope import``).

A shard folder carries a ``manifest.json`` naming the pipeline that produced its shards, so imported documents are
stored under that pipeline's signature and later ``analyze`` runs with the same pipeline skip them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from hashlib import sha256
from itertools import islice
from pathlib import Path
from typing import Any

from narrascope.document import Document
from narrascope.ingest import IngestError, UniqueIds
from narrascope.runner import RunReport, pending_documents, save_batch_safely
from narrascope.store import Store

__all__ = ["SHARD_MANIFEST", "shard_name", "write_manifest", "read_manifest", "shard_files", "import_shards"]

SHARD_MANIFEST = "manifest.json"


def shard_name(input_path: str) -> str:
    """The shard file name for one input file: its name plus a short hash of its full path (unique per input)."""
    return f"{Path(input_path).name}.{sha256(input_path.encode()).hexdigest()[:10]}.jsonl"


def write_manifest(folder: Path, pipeline: list[dict[str, str]], signature: str, config: dict[str, Any]) -> None:
    """Record the pipeline (and its configuration) beside the shards; refuse to mix shards of different pipelines
    in one folder."""
    manifest = folder / SHARD_MANIFEST
    if manifest.exists():
        previous = read_manifest(folder)["pipeline_signature"]
        if previous != signature:
            raise ValueError(f"{folder} holds shards of another pipeline ({previous}, now {signature}); "
                             "write to a new folder")
    manifest.write_text(json.dumps({"pipeline": pipeline, "pipeline_signature": signature, "config": config}, indent=2),
                        encoding="utf-8")


def read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / SHARD_MANIFEST
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: shards must sit beside the manifest of the run that wrote them")
    return json.loads(path.read_text(encoding="utf-8"))


def shard_files(paths: Iterable[str | Path]) -> list[Path]:
    """Shard files named directly, or every ``*.jsonl`` in the folders named, sorted."""
    files: list[Path] = []
    for item in paths:
        path = Path(item)
        files.extend(sorted(path.glob("*.jsonl")) if path.is_dir() else [path])
    return files


def _read_shard(path: Path) -> Iterator[Document | IngestError]:
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                yield Document.from_dict(json.loads(line))
            except (ValueError, KeyError, TypeError) as exc:
                yield IngestError(str(path), f"not a stored document: {exc}", line=number)


def import_shards(paths: Iterable[str | Path], store: Store, *, batch_size: int = 200,
                  command_line: str | None = None) -> list[RunReport]:
    """Load shards into ``store``, one recorded run per shard folder.

    Documents already stored with the same text and pipeline are skipped and others replaced by id, so importing
    again (after an interruption, or the same shards twice) neither duplicates nor loses anything.
    """
    by_folder: dict[Path, list[Path]] = {}
    for file in shard_files(paths):
        by_folder.setdefault(file.resolve().parent, []).append(file)
    reports = []
    ids = UniqueIds()
    for folder, files in by_folder.items():
        manifest = read_manifest(folder)
        signature = manifest["pipeline_signature"]
        run_id = store.begin_run(manifest["pipeline"], signature, config=manifest.get("config"),
                                 command_line=command_line)
        report = RunReport(run_id=run_id)
        status = "failed"
        try:
            for file in files:
                stream = _read_shard(file)
                while chunk := list(islice(stream, batch_size)):
                    todo = pending_documents(chunk, store, signature, ids, report)
                    saved, refused = save_batch_safely(store, todo, pipeline_signature=signature, run_id=report.run_id)
                    report.analysed += len(saved)
                    report.problems.extend(refused)
                    store.record_progress(run_id, analysed=report.analysed, unchanged=report.unchanged,
                                          failed=report.failed)
            status = "finished"
        finally:
            store.finish_run(run_id, status=status, analysed=report.analysed, unchanged=report.unchanged,
                             failed=report.failed)
        reports.append(report)
    return reports
