"""Ingestion: turn files (.txt, .jsonl, .csv, .html), folders and stdin into Documents.

Readers never stop on bad input: each problem becomes an :class:`IngestError` naming the file (and line) in the
stream, and reading goes on with the rest. The document text is kept exactly as read so offsets stay valid.
"""

from __future__ import annotations

import codecs
import copy
import csv
import errno
import fnmatch
import hashlib
import io
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from narrascope.analysers.segmenter import HTML_COMMENTS_HEADER, title_line
from narrascope.document import Document
from narrascope.ingest.fetch import FetchFailed, Fetcher, FetchPolicy, is_url
from narrascope.ingest.metadata import json_objects, outlet_from_url, strict_date

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
                yield from _read_local(item, options)
    finally:
        if fetcher is not None:
            fetcher.close()


def fetch_documents(urls: Iterable[str], fetcher: Fetcher, options: IngestOptions | None = None,
                    ids: Iterable[str] | None = None) -> Iterator[Document | IngestError]:
    """Fetch each URL and read its page (HTML, or plain text) as one document whose id is the URL (``ids`` may
    name others); a URL that cannot be fetched or read is an error ``url: reason``, and the rest goes on."""
    options = options or IngestOptions()
    urls = list(urls)
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


def _read_local(item: str | Path, options: IngestOptions) -> Iterator[Document | IngestError]:
    """Documents of one file, folder or ``-`` (stdin)."""
    if str(item) == "-":
        yield from parse_bytes(f"<stdin>{options.stdin_format}", sys.stdin.buffer.read(), options)
        return
    path = Path(item)
    if path.is_dir():
        for file in find_files(path, options):
            if isinstance(file, IngestError):
                yield file
            else:
                yield from read_file(file, options, file_id=id_for_file(file, path, options))
    elif path.exists():
        yield from read_file(path, options)
    else:
        yield _missing(path)


def id_for_url(url: str) -> str:
    """The id of a fetched page: its URL, shortened with a hash of the whole when longer than a stored id may be."""
    if len(url) <= 255:
        return url
    return f"{url[:230]}~{hashlib.sha256(url.encode()).hexdigest()[:16]}"


def find_files(folder: Path, options: IngestOptions) -> Iterator[Path | IngestError]:
    """Supported files under ``folder`` in a stable order, honouring the glob pattern and recursion options.

    Symbolic links are followed; a folder that cannot be listed, a broken link and a link loop are each yielded as
    an :class:`IngestError` naming it, never skipped silently.
    """
    yield from _walk(folder, options, {_identity(folder)})


def _walk(folder: Path, options: IngestOptions, ancestors: set[tuple[int, int]]) -> Iterator[Path | IngestError]:
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError as exc:
        yield IngestError(str(folder), f"cannot read folder: {exc.strerror or exc}")
        return
    for entry in entries:
        path = Path(entry.path)
        if entry.name.startswith("."):
            continue
        try:
            is_dir, is_file = path.is_dir(), path.is_file()
            if entry.is_symlink() and not (is_dir or is_file):
                path.stat()  # raises for broken links and loops, to say which
        except OSError as exc:
            yield _missing(path, exc)
            continue
        if is_dir:
            if not options.recursive:
                continue
            identity = _identity(path)
            if identity in ancestors:
                yield IngestError(str(path), "symbolic link loop: it leads back to a folder being read; not followed")
                continue
            yield from _walk(path, options, ancestors | {identity})
        elif is_file and path.suffix.lower() in SUPPORTED_SUFFIXES:
            if not options.pattern or fnmatch.fnmatch(path.name, options.pattern):
                yield path


def _identity(folder: Path) -> tuple[int, int]:
    try:
        info = folder.stat()
    except OSError:
        return (0, 0)
    return info.st_dev, info.st_ino


def _missing(path: Path, exc: OSError | None = None) -> IngestError:
    """The error for a path that names nothing readable: a broken or looping link, or nothing at all."""
    if exc is None:
        try:
            path.stat()
        except OSError as error:
            exc = error
    if exc is not None and exc.errno == errno.ELOOP:
        return IngestError(str(path), "symbolic link loop")
    if path.is_symlink():
        return IngestError(str(path), f"broken symbolic link (points to {os.readlink(path)}, which does not exist)")
    if exc is not None and exc.errno not in (errno.ENOENT, None):
        return IngestError(str(path), f"cannot read: {exc.strerror or exc}")
    return IngestError(str(path), "no such file or directory")


def id_for_file(file: Path, folder: Path, options: IngestOptions) -> str:
    """The id of a .txt/.html document read from ``file`` found under ``folder`` (see ``IngestOptions.ids``)."""
    return file.relative_to(folder).as_posix() if options.ids == "path" else file.name


def read_file(path: Path, options: IngestOptions, file_id: str | None = None) -> Iterator[Document | IngestError]:
    """Documents of one file; ``file_id`` overrides the id of a .txt/.html document (default: the file name)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield IngestError(str(path), f"cannot read file: {exc.strerror or exc}")
        return
    yield from parse_bytes(str(path), data, options, file_id=file_id)


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
        yield from _parse_jsonl(name, text, options)
    elif suffix == ".csv":
        yield from _parse_csv(name, text, options)
    elif suffix in (".html", ".htm"):
        yield from _checked(name, None, _parse_html(name, text, file_id or "", options, url), options)
    else:
        doc = _parse_txt(name, text, file_id or "")
        if url:
            doc.url = url
            outlet_from_url(doc)
        yield from _checked(name, None, doc, options)


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


def _checked(name: str, line: int | None, doc: Document | IngestError, options: IngestOptions) -> Iterator[Document | IngestError]:
    """Refuse empty and oversized documents with a clear message."""
    if isinstance(doc, Document):
        if not doc.text.strip():
            doc = IngestError(name, "empty document", line=line)
        elif len(doc.text) > options.max_chars:
            doc = IngestError(name, f"document too large ({len(doc.text):,} characters > limit {options.max_chars:,}; "
                                    "raise it with --max-chars)", line=line)
    yield doc


def _parse_txt(name: str, text: str, doc_id: str) -> Document:
    """SemEval layout: the whole file is the text and its first non-empty line is the title (a byline or dateline
    there is skipped, see ``segmenter.title_line``)."""
    title = title_line(text)
    return Document(text=text, id=doc_id, title=text[title[0]:title[1]] if title else None,
                    meta={"path": name, "format": "txt", "title_in_text": True})


# libxml2, which parses HTML for trafilatura, stops reading elements nested deeper than this.
HTML_MAX_DEPTH = 255


def _parse_html(name: str, html: str, doc_id: str, options: IngestOptions,
                url: str | None = None) -> Document | IngestError:
    """The article text (trafilatura), then each reader comment found in the page's comment containers as a block
    of its own after a ``Reader comments (N)`` line; the comments' offsets go to ``meta["comment_offsets"]``.
    ``url`` (where the page was fetched from) is the document's URL; the page's own canonical URL, when it differs,
    goes to ``meta["canonical_url"]``."""
    import trafilatura
    from lxml import etree
    from trafilatura.utils import load_html

    tree = load_html(html)
    if tree is None:
        return IngestError(name, "not readable as HTML")
    elements = sum(1 for _ in tree.iter())
    if elements > options.max_html_elements:
        return IngestError(name, f"HTML page of {elements:,} elements is larger than the limit of "
                                 f"{options.max_html_elements:,} elements")
    comments = _html_comments(tree)
    extracted = trafilatura.bare_extraction(tree, with_metadata=True, include_comments=False, favor_precision=True)
    if extracted is None or not (extracted.text or "").strip():
        depth = max_depth = 0
        for event, _ in etree.iterwalk(tree, events=("start", "end")):
            depth += 1 if event == "start" else -1
            max_depth = max(max_depth, depth)
        if max_depth >= HTML_MAX_DEPTH:
            return IngestError(name, f"no article text found in HTML: its elements are nested more than "
                                     f"{HTML_MAX_DEPTH} levels deep, and the HTML parser reads no deeper")
        return IngestError(name, "no article text found in HTML")
    text = extracted.text
    meta: dict[str, Any] = {"path": name, "format": "html"}
    if extracted.author:
        meta["author"] = extracted.author
    if extracted.sitename:
        meta["site_name"] = extracted.sitename
    if comments:
        text += "\n\n" + HTML_COMMENTS_HEADER.format(n=len(comments))
        offsets = []
        for comment in comments:
            text += "\n\n"
            offsets.append([len(text), len(text) + len(comment)])
            text += comment
        meta["comment_offsets"] = offsets
    # The outlet is the page URL's registered domain (as for every input with a URL, so one outlet has one name
    # whatever the input), else the site name the page gives.
    if url and extracted.url and extracted.url != url:
        meta["canonical_url"] = extracted.url
    page_url = url or extracted.url
    doc = Document(text=text, id=doc_id, title=extracted.title, source=None if page_url else extracted.sitename,
                   url=page_url, published=_parse_date(extracted.date), meta=meta)
    return outlet_from_url(doc)


_COMMENT_CONTAINER = re.compile(r"^(comments?([-_]?(list|section|area|thread|wrapper|container|block|box|wrap))?|"
                                r"disqus_thread|reader-comments|responses|discussion)$", re.IGNORECASE)
_COMMENT_TEXT = re.compile(r"^(comment[-_]?(body|content|text|message)|comment__(body|content|text)|post-message|"
                           r"commentbody|comment-entry)$", re.IGNORECASE)
_COMMENT_ITEM = re.compile(r"^(comment|comment-item|single-comment|post|li-comment)$", re.IGNORECASE)
_COMMENT_CHROME_CLASS = re.compile(r"^(reply|comment-reply-link|comment-meta|comment-metadata|comment-author|vcard|"
                                   r"post-meta|post-byline|author|avatar|comment-actions|actions)$", re.IGNORECASE)


def _marks(element: Any, pattern: re.Pattern[str]) -> bool:
    """Whether the element's id or one of its classes matches ``pattern``."""
    names = (element.get("class") or "").split() + [element.get("id") or ""]
    return any(pattern.match(n) for n in names if n)


def _html_comments(tree: Any) -> list[str]:
    """The text of each reader comment in the page's comment containers (which are removed from ``tree``):
    the innermost comment-text elements, else each comment item without its nested replies and chrome."""
    containers = [el for el in tree.iter() if isinstance(el.tag, str) and _marks(el, _COMMENT_CONTAINER)]
    containers = [el for el in containers if not any(a in containers for a in el.iterancestors())]
    comments: list[str] = []
    for container in containers:
        texts = [el for el in container.iter() if isinstance(el.tag, str) and _marks(el, _COMMENT_TEXT)]
        items = [el for el in texts if not any(_marks(d, _COMMENT_TEXT) for d in el.iterdescendants() if isinstance(d.tag, str))]
        if not items:
            items = [el for el in container.iterdescendants() if isinstance(el.tag, str) and _marks(el, _COMMENT_ITEM)]
        found = [text for text in (_comment_text(el) for el in items) if text]
        if found:
            comments += found
            container.drop_tree()
    return comments


def _comment_text(element: Any) -> str:
    """A comment's text, one line per paragraph, without nested comments, forms, scripts or reply/author chrome."""
    element = copy.deepcopy(element)
    for child in list(element.iterdescendants()):
        if not isinstance(child.tag, str):
            continue
        if (child.tag in ("script", "style", "form", "button", "noscript") or _marks(child, _COMMENT_ITEM)
                or _marks(child, _COMMENT_CHROME_CLASS)) and child.getparent() is not None:
            child.drop_tree()
    for child in element.iter("p", "br", "div", "li", "blockquote"):
        child.tail = "\n" + (child.tail or "")
    lines = (" ".join(line.split()) for line in element.text_content().splitlines())
    return "\n".join(line for line in lines if line)


def _record_to_document(name: str, line: int, record: dict[str, Any], options: IngestOptions) -> Document | IngestError:
    def pick(field: str) -> Any:
        for key in options.field_names(field):
            if record.get(key) not in (None, ""):
                return record[key]
        return None

    text = pick("text")
    if text is None:
        wanted = " / ".join(options.field_names("text"))
        return IngestError(name, f"no text field ({wanted}) in record", line=line)
    if not isinstance(text, str):
        return IngestError(name, f"text field is {type(text).__name__}, not a string", line=line)
    raw_date = pick("date")
    published = _parse_date(raw_date)
    meta: dict[str, Any] = {"path": name, "line": line}
    if raw_date is not None and published is None:
        meta["unparsed_date"] = str(raw_date)
    if (author := pick("author")) is not None:
        meta["author"] = ", ".join(map(str, author)) if isinstance(author, list) else str(author)
    doc_id = pick("id")
    title = pick("title")
    doc = Document(text=text, id=str(doc_id) if doc_id is not None else "", title=str(title) if title else None,
                   source=_str_or_none(pick("source")), url=_str_or_none(pick("url")), published=published, meta=meta)
    return outlet_from_url(doc)


def _parse_jsonl(name: str, text: str, options: IngestOptions) -> Iterator[Document | IngestError]:
    for number, record in json_objects(text):
        if isinstance(record, str):
            yield IngestError(name, record, line=number)
            continue
        yield from _checked(name, number, _record_to_document(name, number, record, options), options)


def _parse_csv(name: str, text: str, options: IngestOptions) -> Iterator[Document | IngestError]:
    csv.field_size_limit(max(options.max_chars * 4, 131072))
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = reader.fieldnames or []
    if not any(c in columns for c in options.field_names("text")):
        wanted = " / ".join(options.field_names("text"))
        yield IngestError(name, f"CSV has no text column ({wanted}); columns are: {', '.join(columns) or 'none'}; "
                                "map one with --field text=COLUMN", line=1)
        return
    try:
        for record in reader:
            yield from _checked(name, reader.line_num, _record_to_document(name, reader.line_num, record, options), options)
    except csv.Error as exc:
        yield IngestError(name, f"malformed CSV: {exc}", line=reader.line_num)


def _parse_date(value: Any) -> date | None:
    """A record's date in ISO form or a few common day-first and written-out forms; None when unreadable."""
    if value in (None, ""):
        return None
    try:
        return strict_date(value)
    except ValueError:
        pass
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%Y/%m/%d", "%d %B %Y", "%B %d, %Y"):
        try:
            return datetime.strptime(text[:30], fmt).date()
        except ValueError:
            continue
    return None


def _str_or_none(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


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
