"""Document metadata (outlet, url, published date, author) from a sidecar file, run-wide defaults and the URL.

Precedence, most specific first: a sidecar row (the analyst's statement about one document) > what the document
itself carries (HTML metadata, JSONL/CSV fields, a feed item) > run-wide flags (``--outlet``, ``--date``, defaults
for documents that name none) > the URL's registered domain as the outlet. An empty value never erases one, and a
default (flag or URL) never replaces a value already stored; ``meta["metadata_from"]`` records where each value
that the document did not carry came from.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from narrascope.document import Document

__all__ = ["METADATA_FIELDS", "Sidecar", "SidecarError", "RunMetadata", "registered_domain", "metadata_of",
           "provenance", "is_default", "with_metadata", "set_field", "metadata_from_url", "strict_date", "clean_url", "with_own_metadata"]

METADATA_FIELDS = ("source", "url", "published", "author")
MAX_OUTLET_CHARS = 255  # the store's column width

# Sidecar column/key -> metadata field; the key columns are ``id`` and ``path``.
_SIDECAR_COLUMNS = {"outlet": "source", "source": "source", "url": "url", "date": "published",
                    "published": "published", "author": "author"}
_KEY_COLUMNS = ("id", "path")

# Second-level labels under which country-code registries sell names (news.com.ua, bbc.co.uk, globo.com.br), and
# other multi-label public suffixes common among news outlets. Enough for outlet names; not the full Public Suffix
# List, which would need a download.
_SECOND_LEVEL = frozenset({"co", "com", "net", "org", "gov", "edu", "ac", "mil", "nic", "or", "ne", "go", "gob",
                           "nom", "ltd", "plc", "me", "in", "info", "biz", "press", "news", "int"})
_MULTI_LABEL_SUFFIXES = frozenset({"kiev.ua", "kyiv.ua", "lviv.ua", "odessa.ua", "kharkov.ua", "msk.ru", "spb.ru",
                                   "blogspot.com", "github.io", "substack.com", "wordpress.com", "livejournal.com"})
# Query parameters that only say how a reader reached a page (campaign, click and share trackers), never which page.
_TRACKING_PREFIXES = ("utm_",)
_TRACKING_PARAMETERS = frozenset({"fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
                                  "ttclid", "igshid", "mc_cid", "mc_eid", "ref_src", "ref_url", "_hsenc", "_hsmi",
                                  "mkt_tok"})
_HOST = re.compile(r"^[\w.:\[\]-]+$")
_IP_ADDRESS = re.compile(r"^(\d{1,3}(\.\d{1,3}){3}|\[?[0-9a-f:]+\]?)$", re.IGNORECASE)


def registered_domain(url: str) -> str | None:
    """The name an outlet registered for ``url``'s host (``https://www.bbc.co.uk/news`` -> ``bbc.co.uk``); an IP
    address or a one-label host (``localhost``) is returned as it is; None without a host."""
    try:
        host = (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return None
    if not _HOST.match(host):
        return None
    labels = host.split(".")
    if _IP_ADDRESS.match(host) or len(labels) < 2:
        return host
    suffix_labels = 1
    if len(labels) >= 3 and (".".join(labels[-2:]) in _MULTI_LABEL_SUFFIXES
                             or (len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL)):
        suffix_labels = 2
    return ".".join(labels[-(suffix_labels + 1):])


def clean_url(url: str) -> str:
    """``url`` without its fragment and tracking parameters (``utm_*``, ``fbclid``, ``gclid``, ``mc_cid``, ...), so
    that one article reached through two feeds or shares is recognised as one; every other parameter is kept as
    written and in its order."""
    base, _, _fragment = url.strip().partition("#")
    base, mark, query = base.partition("?")
    if not mark:
        return base
    kept = [pair for pair in query.split("&") if pair and not _is_tracking(pair.partition("=")[0])]
    return f"{base}?{'&'.join(kept)}" if kept else base


def _is_tracking(name: str) -> bool:
    name = name.lower()
    return name in _TRACKING_PARAMETERS or name.startswith(_TRACKING_PREFIXES)


def strict_date(value: Any) -> date:
    """A date written as ``YYYY-MM-DD`` or an ISO date-time; ValueError with a readable message otherwise."""
    if isinstance(value, date):
        return value if not isinstance(value, datetime) else value.date()
    text = str(value).strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def metadata_of(doc: Document) -> dict[str, Any]:
    """The document's metadata fields that are set."""
    values = {"source": doc.source, "url": doc.url, "published": doc.published, "author": doc.meta.get("author")}
    return {k: v for k, v in values.items() if v not in (None, "")}


def provenance(doc: Document) -> dict[str, str]:
    """Where each metadata field not read from the document itself came from: ``sidecar``, ``flag`` (a run-wide
    default) or ``url`` (the outlet as the URL's registered domain); kept in ``meta["metadata_from"]``."""
    return dict(doc.meta.get("metadata_from") or {})


def is_default(origin: str | None) -> bool:
    """Whether a value of this provenance is only a default: it fills a gap but never replaces a value."""
    return origin in ("flag", "url")


def with_metadata(doc: Document, values: dict[str, Any], *, origin: str | None, override: bool) -> Document:
    """Set ``values`` (provenance ``origin``, None for the document's own) on ``doc``: all of them (``override``),
    or only those the document lacks or has only by default."""
    have = {k for k in metadata_of(doc) if not is_default(provenance(doc).get(k))}
    for name, value in values.items():
        if value not in (None, "") and (override or name not in have):
            set_field(doc, name, value, origin)
    return doc


def with_own_metadata(doc: Document, values: dict[str, Any]) -> Document:
    """``doc`` carrying ``values`` as its own metadata (as a page or record would), its URL cleaned and, without an
    outlet, the URL's domain as one; for text submitted with its metadata."""
    return metadata_from_url(with_metadata(doc, values, origin=None, override=True))


def set_field(doc: Document, name: str, value: Any, origin: str | None) -> None:
    """Set one metadata field and record its provenance."""
    if name == "author":
        doc.meta["author"] = value
    elif name == "url":
        doc.url = clean_url(str(value))
    elif name in ("source", "published"):
        setattr(doc, name, value)
    else:
        raise ValueError(f"{name!r} is not a metadata field ({', '.join(METADATA_FIELDS)})")
    origins = provenance(doc)
    if origin:
        origins[name] = origin
    else:
        origins.pop(name, None)
    if origins:
        doc.meta["metadata_from"] = origins
    else:
        doc.meta.pop("metadata_from", None)


def metadata_from_url(doc: Document) -> Document:
    """``doc`` with its URL cleaned (:func:`clean_url`) and, when it names no outlet, the URL's registered domain as
    outlet (provenance ``url``)."""
    if doc.url:
        doc.url = clean_url(doc.url)
    if not doc.source and doc.url and (domain := registered_domain(doc.url)):
        set_field(doc, "source", domain, "url")
    return doc


@dataclass(frozen=True)
class SidecarError:
    """A row of a sidecar file that cannot be used, and why."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line is not None else f"{self.path}: {self.message}"


@dataclass
class Sidecar:
    """Metadata rows of a CSV or JSONL file, each keyed by document ``id`` or by file ``path`` (relative paths are
    resolved against the sidecar's own folder, as in a manifest). Rows not matched by any document are listed by
    :meth:`unused`, so a typo in a key is not silently ignored."""

    path: Path
    by_id: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    by_path: dict[Path, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    used: set[int] = field(default_factory=set)

    @classmethod
    def read(cls, path: str | Path) -> tuple[Sidecar, list[SidecarError]]:
        """The sidecar at ``path`` and every problem in it (an unusable row is left out and named)."""
        path = Path(path)
        sidecar = cls(path)
        errors: list[SidecarError] = []
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            return sidecar, [SidecarError(str(path), None, f"cannot read metadata file: {exc}")]
        rows = _jsonl_rows(path, text, errors) if path.suffix.lower() == ".jsonl" else _csv_rows(path, text, errors)
        for line, record in rows:
            row = _sidecar_row(str(path), line, record, errors)
            if row is None:
                continue
            key_kind, given, values = row
            key: str | Path = given
            if key_kind == "id":
                table: dict[Any, tuple[int, dict[str, Any]]] = sidecar.by_id
            else:
                table, key = sidecar.by_path, _absolute(Path(given), path.parent)
            if key in table:
                errors.append(SidecarError(str(path), line, f"{key_kind} {str(key)!r} already has metadata on line "
                                                            f"{table[key][0]}"))
                continue
            table[key] = (line, values)
        return sidecar, errors

    def row_for(self, doc: Document) -> dict[str, Any] | None:
        """The metadata row for ``doc``: by its id, else by the file it was read from."""
        found = self.by_id.get(doc.id) or self.by_origin(doc.meta.get("path"))
        if found is None:
            return None
        self.used.add(found[0])
        return found[1]

    def by_origin(self, origin: str | None) -> tuple[int, dict[str, Any]] | None:
        """``(line, metadata)`` of the row naming the file ``origin`` (a path as read, relative to the current
        folder), or None."""
        if not origin or str(origin).startswith("<"):
            return None
        return self.by_path.get(_absolute(Path(origin), Path.cwd()))

    def unused(self) -> list[SidecarError]:
        """A notice for each row that matched no document."""
        rows = [(line, "id", key) for key, (line, _) in self.by_id.items()] + \
               [(line, "path", str(key)) for key, (line, _) in self.by_path.items()]
        return [SidecarError(str(self.path), line, f"{kind} {key!r} matched no document")
                for line, kind, key in sorted(rows) if line not in self.used]


@dataclass(frozen=True)
class RunMetadata:
    """Where a run's document metadata comes from besides the documents: a sidecar and run-wide defaults (the CLI's
    ``--outlet``/``--date``, the fields given with an upload to the server)."""

    sidecar: Sidecar | None = None
    outlet: str | None = None
    published: date | None = None
    url: str | None = None
    author: str | None = None

    def apply(self, doc: Document) -> Document:
        """``doc`` with its metadata completed, in the precedence the module docstring gives."""
        if self.sidecar is not None and (row := self.sidecar.row_for(doc)):
            with_metadata(doc, row, origin="sidecar", override=True)
        with_metadata(doc, {"source": self.outlet, "published": self.published, "url": self.url,
                            "author": self.author}, origin="flag", override=False)
        return metadata_from_url(doc)

    def stream(self, items: Iterable[Any]) -> Iterator[Any]:
        """Apply to every document of an ingest stream, passing errors through; the sidecar itself, when it lies in
        a folder being read, is not taken for input."""
        sidecar = _absolute(self.sidecar.path, Path.cwd()) if self.sidecar is not None else None
        for item in items:
            origin = item.meta.get("path") if isinstance(item, Document) else getattr(item, "path", None)
            if sidecar is not None and origin and _absolute(Path(origin), Path.cwd()) == sidecar:
                continue
            yield self.apply(item) if isinstance(item, Document) else item


def _absolute(path: Path, base: Path) -> Path:
    """``path`` (relative to ``base``) made absolute and normalised without following links."""
    return Path(os.path.normpath(os.path.abspath(path if path.is_absolute() else base / path)))


def json_objects(text: str) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """``(line number, record)`` for each non-blank line of JSON-lines text; the record is a problem message when the
    line is not a JSON object (shared by the document reader and the sidecar reader)."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, f"malformed JSON: {exc.msg} (column {exc.colno})"
            continue
        yield number, record if isinstance(record, dict) else f"expected a JSON object, found {type(record).__name__}"


def _jsonl_rows(path: Path, text: str, errors: list[SidecarError]) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, record in json_objects(text):
        if isinstance(record, str):
            errors.append(SidecarError(str(path), number, record))
        else:
            yield number, record


def _csv_rows(path: Path, text: str, errors: list[SidecarError]) -> Iterator[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if reader.fieldnames:  # "Outlet", " date" as spreadsheets export them
        reader.fieldnames = [name.strip().lower() for name in reader.fieldnames]
    try:
        for record in reader:
            if None in record:
                errors.append(SidecarError(str(path), reader.line_num, "more values than columns"))
                continue
            if any(v not in (None, "") for v in record.values()):
                yield reader.line_num, record
    except csv.Error as exc:
        errors.append(SidecarError(str(path), reader.line_num, f"malformed CSV: {exc}"))


def _sidecar_row(path: str, line: int, record: dict[str, Any],
                 errors: list[SidecarError]) -> tuple[str, str, dict[str, Any]] | None:
    """``(key kind, key, metadata)`` of one sidecar row, or None after naming its problem in ``errors``."""
    unknown = [k for k in record if k not in _SIDECAR_COLUMNS and k not in _KEY_COLUMNS]
    if unknown:
        errors.append(SidecarError(path, line, f"unknown column {unknown[0]!r}; expected id or path, and outlet, "
                                                "url, date, author"))
        return None
    keys = [(k, str(record[k]).strip()) for k in _KEY_COLUMNS if record.get(k) not in (None, "")]
    if len(keys) != 1:
        errors.append(SidecarError(path, line, "a row needs exactly one of id or path" if not keys else
                                               "a row has both id and path; give one"))
        return None
    values: dict[str, Any] = {}
    for column, name in _SIDECAR_COLUMNS.items():
        value = record.get(column)
        if value in (None, ""):
            continue
        if not isinstance(value, str):
            errors.append(SidecarError(path, line, f"{column} is {type(value).__name__}, not text"))
            return None
        value = value.strip()
        if name == "source" and len(value) > MAX_OUTLET_CHARS:
            errors.append(SidecarError(path, line, f"{column} of {len(value):,} characters is longer than the "
                                                   f"{MAX_OUTLET_CHARS} the store holds"))
            return None
        if name == "published":
            try:
                value = strict_date(value)
            except ValueError as exc:
                errors.append(SidecarError(path, line, f"{column}: {exc}"))
                return None
        if name in values and values[name] != value:
            errors.append(SidecarError(path, line, f"two different values for {name}"))
            return None
        values[name] = value
    kind, key = keys[0]
    return kind, key, values
