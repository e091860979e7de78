"""narrascope: which propaganda narratives a news text carries, where, how it casts the people it names, and how
it persuades — with character offsets into the original text for every piece of evidence.

    >>> import narrascope
    >>> docs = narrascope.analyse("articles/")          # a file, a folder, or a text
    >>> docs[0].cats["narratives"]
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from narrascope._version import __version__
from narrascope.document import Document, Label, Span

if TYPE_CHECKING:
    from narrascope.ingest import IngestError, IngestOptions, read_documents
    from narrascope.pipeline import Pipeline, PipelineConfig, load_pipeline

__all__ = ["analyse", "load_pipeline", "PipelineConfig", "read_documents", "Document", "Span", "Label", "Pipeline", "IngestError", "IngestOptions",
           "__version__"]


# Imported on first use, so ``import narrascope`` (which every command line start does) stays quick.
_LAZY = {"read_documents": "narrascope.ingest", "IngestError": "narrascope.ingest", "IngestOptions": "narrascope.ingest",
         "load_pipeline": "narrascope.pipeline", "Pipeline": "narrascope.pipeline",
         "PipelineConfig": "narrascope.pipeline"}


def __getattr__(name: str) -> Any:
    """The facade's names that live in heavier modules, imported when first asked for."""
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'narrascope' has no attribute {name!r}")


def analyse(
    source: str | Path | Document | Iterable[str | Path | Document],
    *,
    pipeline: Pipeline | None = None,
    options: IngestOptions | None = None,
    strict: bool = True,
) -> list[Document]:
    """Analyse a text, a Document, a file or folder (or a list of them) and return the annotated Documents.

    A ``str`` naming an existing file or folder is read as such, an http(s) URL is fetched (politely, see
    :mod:`narrascope.ingest.fetch`); any other string is analysed as text.
    With ``strict`` (default) unreadable input raises ``ValueError`` naming every problem; otherwise it is skipped.
    """
    from narrascope.ingest import IngestError, read_documents
    from narrascope.ingest.fetch import is_url
    from narrascope.pipeline import load_pipeline

    pipeline = pipeline or load_pipeline()
    items = [source] if isinstance(source, (str, Path, Document)) else list(source)
    docs: list[Document] = []
    problems: list[IngestError] = []
    for item in items:
        if isinstance(item, Document):
            docs.append(item)
        elif isinstance(item, Path) or is_url(item) or _is_existing_path(item):
            for found in read_documents(item, options):
                if isinstance(found, IngestError):
                    problems.append(found)
                else:
                    docs.append(found)
        else:
            docs.append(Document(text=item))
    if problems and strict:
        raise ValueError("could not read:\n" + "\n".join(str(p) for p in problems))
    return list(pipeline.pipe(docs))


def _is_existing_path(value: str) -> bool:
    return "\n" not in value and len(value) < 4096 and Path(value).exists()
