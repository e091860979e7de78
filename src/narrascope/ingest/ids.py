"""Document ids: of a fetched page, of a file in a folder, and the check that two inputs never share one."""

from __future__ import annotations

import hashlib
from pathlib import Path

from narrascope.document import Document
from narrascope.ingest.metadata import clean_url
from narrascope.ingest.options import IngestError, IngestOptions


def id_for_url(url: str) -> str:
    """The id of a fetched page: its URL without tracking parameters (:func:`clean_url`), shortened with a hash of
    the whole when longer than a stored id may be."""
    url = clean_url(url)
    if len(url) <= 255:
        return url
    return f"{url[:230]}~{hashlib.sha256(url.encode()).hexdigest()[:16]}"


def id_for_file(file: Path, folder: Path, options: IngestOptions) -> str:
    """The id of a .txt/.html document read from ``file`` found under ``folder`` (see ``IngestOptions.ids``)."""
    return file.relative_to(folder).as_posix() if options.ids == "path" else file.name


class UniqueIds:
    """Remembers where each document id of one run came from, so that two different inputs that would be stored
    under the same id (two ``article.txt`` in different folders, records with one id) are reported instead of one
    silently replacing the other. The same input read twice is not a clash."""

    def __init__(self) -> None:
        self._origins: dict[str, str] = {}

    def clash(self, doc: Document) -> IngestError | None:
        """An error for ``doc`` if its id was already taken by another input in this run, else None."""
        origin = _origin(doc)
        first = self._origins.setdefault(doc.id, origin)
        if first == origin or not (first and origin):
            return None
        hint = "read folders with --ids path" if doc.meta.get("format") in ("txt", "html") else "give records distinct ids"
        return IngestError(doc.meta["path"], f"document id {doc.id!r} was already read from {first} in this run; "
                                             f"this one is skipped ({hint})", doc.meta.get("line"))


def _origin(doc: Document) -> str:
    path, line = doc.meta.get("path"), doc.meta.get("line")
    if not path:
        return ""
    return f"{path}:{line}" if line is not None else str(path)
