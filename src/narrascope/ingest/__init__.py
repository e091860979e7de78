"""Ingestion: turn files (.txt, .jsonl, .csv, .html), folders and stdin into Documents.

Readers never stop on bad input: each problem becomes an :class:`IngestError` naming the file (and line) in the
stream, and reading goes on with the rest. The document text is kept exactly as read so offsets stay valid.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from narrascope.document import Document
from narrascope.ingest.fetch import Fetcher, is_url
from narrascope.ingest.files import find_files, read_file, read_local
from narrascope.ingest.ids import UniqueIds, id_for_file, id_for_url
from narrascope.ingest.options import DEFAULT_FIELDS, SUPPORTED_SUFFIXES, IngestError, IngestOptions
from narrascope.ingest.parse import parse_bytes, parse_files
from narrascope.ingest.web import fetch_documents

__all__ = [
    "IngestError",
    "IngestOptions",
    "read_documents",
    "fetch_documents",
    "id_for_url",
    "read_file",
    "find_files",
    "id_for_file",
    "UniqueIds",
    "parse_bytes",
    "parse_files",
    "SUPPORTED_SUFFIXES",
    "DEFAULT_FIELDS",
]


def read_documents(inputs: str | Path | Iterable[str | Path], options: IngestOptions | None = None) -> Iterator[Document | IngestError]:
    """Read documents from files, folders (recursively), ``-`` (stdin) and http(s) URLs (fetched politely under
    ``options.fetch``), yielding errors in the stream."""
    options = options or IngestOptions()
    if isinstance(inputs, (str, Path)):
        inputs = [inputs]
    fetcher = None
    try:
        for item in inputs:
            if is_url(item):
                fetcher = fetcher or Fetcher(options.fetch)
                yield from fetch_documents([str(item)], fetcher, options)
            else:
                yield from read_local(item, options)
    finally:
        if fetcher is not None:
            fetcher.close()
