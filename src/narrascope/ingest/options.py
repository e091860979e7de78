"""How input is read (:class:`IngestOptions`) and how a problem with it is reported (:class:`IngestError`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from narrascope.document import Document
from narrascope.ingest.fetch import FetchPolicy

SUPPORTED_SUFFIXES = (".txt", ".jsonl", ".csv", ".html", ".htm")

# Record field -> column/key names accepted in JSONL and CSV input, first match wins.
DEFAULT_FIELDS: dict[str, tuple[str, ...]] = {
    "text": ("text", "body", "content", "article"),
    "title": ("title", "headline"),
    "url": ("url", "link"),
    "date": ("date", "published", "published_at", "pubdate"),
    "source": ("source", "outlet", "site", "domain"),
    "author": ("author", "byline", "authors"),
    "id": ("id", "doc_id", "document_id"),
}


@dataclass(frozen=True)
class IngestError:
    """A piece of input that could not become a document, and why."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class IngestOptions:
    """How to read input.

    ``fields`` renames record fields, e.g. ``{"text": "body_html"}``; ``max_chars`` caps one document's size
    (larger documents are reported and skipped, not truncated, so nothing is analysed half-way);
    ``max_html_bytes`` and ``max_html_elements`` cap an HTML page before its article text is extracted, which
    takes time in proportion to the page's elements. ``ids`` names
    .txt/.html documents: ``"name"``, the file name (the SemEval layout), or ``"path"``, the path relative to the
    folder being read (for folder-per-outlet layouts where file names repeat). ``fetch`` says how URLs are fetched.
    """

    fields: dict[str, str] | None = None
    pattern: str | None = None
    recursive: bool = True
    max_chars: int = 1_000_000
    max_html_bytes: int = 10 * 1024 * 1024
    max_html_elements: int = 50_000
    stdin_format: str = ".txt"
    ids: str = "name"
    fetch: FetchPolicy = FetchPolicy()

    def __post_init__(self) -> None:
        if self.ids not in ("name", "path"):
            raise ValueError(f"ids must be 'name' or 'path', not {self.ids!r}")

    def field_names(self, field: str) -> tuple[str, ...]:
        if self.fields and field in self.fields:
            return (self.fields[field],)
        return DEFAULT_FIELDS[field]


def checked(name: str, line: int | None, doc: Document | IngestError, options: IngestOptions) -> Iterator[Document | IngestError]:
    """Refuse empty and oversized documents with a clear message."""
    if isinstance(doc, Document):
        if not doc.text.strip():
            doc = IngestError(name, "empty document", line=line)
        elif len(doc.text) > options.max_chars:
            doc = IngestError(name, f"document too large ({len(doc.text):,} characters > limit {options.max_chars:,}; "
                                    "raise it with --max-chars)", line=line)
    yield doc
