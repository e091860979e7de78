"""One file's bytes as documents: its encoding, then its format (.txt, .jsonl, .csv, .html)."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path

from narrascope.analysers.segmenter import title_line
from narrascope.document import Document
from narrascope.ingest.html import parse_html
from narrascope.ingest.metadata import metadata_from_url
from narrascope.ingest.options import IngestError, IngestOptions, checked
from narrascope.ingest.records import parse_csv, parse_jsonl


def parse_bytes(
    name: str, data: bytes, options: IngestOptions | None = None, file_id: str | None = None, *,
    suffix: str | None = None, url: str | None = None,
) -> Iterator[Document | IngestError]:
    """Parse one file's bytes; ``suffix``, else the name's suffix, picks the format (.txt if unknown). A .txt/.html
    document's id is ``file_id``, else the file name (none for stdin, so the content hash is used); ``url`` is
    where a fetched page came from."""
    options = options or IngestOptions()
    suffix = (suffix or Path(name).suffix).lower()
    if suffix in (".html", ".htm") and len(data) > options.max_html_bytes:
        yield IngestError(name, f"HTML page of {len(data):,} bytes is larger than the limit of "
                                f"{options.max_html_bytes:,} bytes")
        return
    text = _decode(name, data)
    if isinstance(text, IngestError):
        yield text
        return
    if file_id is None and not name.startswith("<") and url is None:
        file_id = Path(name).name
    if suffix == ".jsonl":
        yield from parse_jsonl(name, text, options)
    elif suffix == ".csv":
        yield from parse_csv(name, text, options)
    elif suffix in (".html", ".htm"):
        yield from checked(name, None, parse_html(name, text, file_id or "", options, url), options)
    else:
        doc = _parse_txt(name, text, file_id or "")
        if url:
            doc.url = url
            metadata_from_url(doc)
        yield from checked(name, None, doc, options)


# Byte-order marks of the Unicode encodings besides UTF-8; UTF-32 first, since its little-endian mark begins
# with UTF-16's.


_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))


def _decode(name: str, data: bytes) -> str | IngestError:
    """The text of a file: UTF-8 (with or without a byte-order mark), or UTF-16/32 when a byte-order mark says so
    (a common export format); anything else with NUL bytes is binary."""
    encoding = next((enc for bom, enc in _BOMS if data.startswith(bom)), None)
    if encoding is None and b"\x00" in data[:8192]:
        return IngestError(name, "binary file (contains NUL bytes), not text")
    try:
        return data.decode(encoding or "utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1 if encoding is None else None
        return IngestError(name, f"invalid {(encoding or 'utf-8').upper()} at byte {exc.start}", line=line)


def parse_files(files: list[tuple[str, bytes]], options: IngestOptions | None = None) -> list[Document | IngestError]:
    """Every document (and problem) of several files given as ``(name, bytes)``, e.g. uploads."""
    return [item for name, data in files for item in parse_bytes(name, data, options)]


def _parse_txt(name: str, text: str, doc_id: str) -> Document:
    """SemEval layout: the whole file is the text and its first non-empty line is the title (a byline or dateline
    there is skipped, see ``segmenter.title_line``)."""
    title = title_line(text)
    return Document(text=text, id=doc_id, title=text[title[0]:title[1]] if title else None,
                    meta={"path": name, "format": "txt", "title_in_text": True})
