"""Exporting the (filtered) corpus in every format the CLI writes."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import IO, Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import StreamingResponse

from narrascope.export import write_export
from narrascope.server.deps import document_filter, get_store
from narrascope.server.schemas import ExportFormat
from narrascope.store import DocumentFilter, Store

router = APIRouter(tags=["exports"])

MEDIA_TYPES = {"jsonl": ("application/x-ndjson", "jsonl"), "csv": ("text/csv", "csv"),
               "semeval": ("text/plain", "txt"), "label-studio": ("application/json", "json")}


def _stream(handle: IO[str], chunk_chars: int = 64 * 1024) -> Iterator[bytes]:
    try:
        handle.seek(0)
        while chunk := handle.read(chunk_chars):
            yield chunk.encode("utf-8")
    finally:
        handle.close()


@router.get("/export", response_class=StreamingResponse,
            responses={200: {"content": {t: {} for t, _ in MEDIA_TYPES.values()},
                             "description": "The matching documents in the chosen format, as a download."}})
def export(
    flt: Annotated[DocumentFilter, Depends(document_filter)],
    store: Annotated[Store, Depends(get_store)],
    format: ExportFormat = "jsonl",
) -> StreamingResponse:
    """Matching documents as jsonl (all layers), csv, semeval (the task's submission format) or label-studio."""
    # Written to a temporary file (in memory up to 8 MB, then on disk) so large corpora stay in bounded memory.
    handle = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024, mode="w+", encoding="utf-8", newline="")
    write_export(store.iter_documents(flt), format, handle)
    media_type, suffix = MEDIA_TYPES[format]
    return StreamingResponse(_stream(handle), media_type=media_type,
                             headers={"Content-Disposition": f'attachment; filename="narrascope.{suffix}"'})
