"""Web pages as documents: each URL fetched politely (:mod:`narrascope.ingest.fetch`), decoded to UTF-8, parsed."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator

from narrascope.document import Document
from narrascope.ingest.fetch import Fetcher, FetchFailed
from narrascope.ingest.ids import id_for_url
from narrascope.ingest.metadata import clean_url
from narrascope.ingest.options import IngestError, IngestOptions
from narrascope.ingest.parse import parse_bytes


def fetch_documents(urls: Iterable[str], fetcher: Fetcher, options: IngestOptions | None = None,
                    ids: Iterable[str] | None = None) -> Iterator[Document | IngestError]:
    """Fetch each URL and read its page (HTML, or plain text) as one document whose id is the URL (``ids`` may
    name others); a URL that cannot be fetched or read is an error ``url: reason``, and the rest goes on."""
    options = options or IngestOptions()
    urls = [clean_url(u) for u in urls]
    for url, doc_id in zip(urls, ids or [id_for_url(u) for u in urls], strict=True):
        try:
            fetched = fetcher.get(url)
        except FetchFailed as failed:
            yield IngestError(url, failed.reason)
            continue
        kind = fetched.content_type.split(";")[0].strip().lower()
        suffix = ".html" if kind in ("text/html", "application/xhtml+xml", "") else ".txt" if kind == "text/plain" \
            else None
        if suffix is None:
            yield IngestError(url, f"not a web page or text (content type {kind})")
            continue
        content = _as_utf8(url, fetched.content, fetched.content_type)
        if isinstance(content, IngestError):
            yield content
            continue
        yield from parse_bytes(url, content, options, file_id=doc_id, suffix=suffix, url=fetched.final_url)


_CHARSET = re.compile(rb"""charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)


def _as_utf8(url: str, content: bytes, content_type: str) -> bytes | IngestError:
    """A fetched page in UTF-8: decoded from the charset its Content-Type header names, else the one its first
    2 KB declare (``<meta charset>``), as many Cyrillic news sites still serve windows-1251."""
    declared = _CHARSET.search(content_type.encode("latin-1", "replace")) or _CHARSET.search(content[:2048])
    charset = declared.group(1).decode("ascii", "replace").lower() if declared else "utf-8"
    if charset in ("utf-8", "utf8") or content.startswith(codecs.BOM_UTF8):
        return content
    try:
        return content.decode(charset).encode("utf-8")
    except LookupError:
        return IngestError(url, f"unknown character set {charset!r}")
    except UnicodeDecodeError as exc:
        return IngestError(url, f"invalid {charset} at byte {exc.start}")
