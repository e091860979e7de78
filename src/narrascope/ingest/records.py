"""JSONL and CSV records as documents: field names, dates, authors."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from narrascope.document import Document
from narrascope.ingest.metadata import json_objects, metadata_from_url, strict_date
from narrascope.ingest.options import IngestError, IngestOptions, checked


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
    published = parse_date(raw_date)
    meta: dict[str, Any] = {"path": name, "line": line}
    if raw_date is not None and published is None:
        meta["unparsed_date"] = str(raw_date)
    if (author := pick("author")) is not None:
        meta["author"] = ", ".join(map(str, author)) if isinstance(author, list) else str(author)
    doc_id = pick("id")
    title = pick("title")
    doc = Document(text=text, id=str(doc_id) if doc_id is not None else "", title=str(title) if title else None,
                   source=_str_or_none(pick("source")), url=_str_or_none(pick("url")), published=published, meta=meta)
    return metadata_from_url(doc)


def parse_jsonl(name: str, text: str, options: IngestOptions) -> Iterator[Document | IngestError]:
    for number, record in json_objects(text):
        if isinstance(record, str):
            yield IngestError(name, record, line=number)
            continue
        yield from checked(name, number, _record_to_document(name, number, record, options), options)


def parse_csv(name: str, text: str, options: IngestOptions) -> Iterator[Document | IngestError]:
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
            yield from checked(name, reader.line_num, _record_to_document(name, reader.line_num, record, options), options)
    except csv.Error as exc:
        yield IngestError(name, f"malformed CSV: {exc}", line=reader.line_num)


def parse_date(value: Any) -> date | None:
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
