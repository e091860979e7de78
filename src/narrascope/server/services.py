"""What the JSON routes, the HTML pages and the dashboard warmer share: analysing submitted text and uploads, and
the dashboard aggregates. Routers import this module, never each other.

The analysis helpers raise :class:`~fastapi.HTTPException` because their status codes (413 over a limit, 422 for
bad input or a failed analysis, 503 with ``Retry-After`` when busy) are the same for every route that submits text;
:func:`dashboard_data` raises ``ValueError`` and the routes choose the status.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date

from fastapi import HTTPException, UploadFile

from narrascope.document import NARRATIVES, Document
from narrascope.ingest import IngestOptions
from narrascope.ingest.metadata import MAX_OUTLET_CHARS, RunMetadata
from narrascope.server.analysis import AnalysisService, Busy, PipelineUnavailable
from narrascope.server.schemas import DashboardData
from narrascope.server.settings import Settings
from narrascope.store import DocumentFilter, Store
from narrascope.store.aggregates import INTERVALS, STACKS, cached, label_breakdown

__all__ = ["analyse_one", "check_text", "upload_options", "read_upload", "upload_metadata", "dashboard_data"]

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def analyse_one(doc: Document, service: AnalysisService, *, save: bool) -> Document:
    """Run the analysis, turning a failure into a 422 that says what went wrong."""
    try:
        return service.analyse(doc, save=save)
    except Busy as exc:
        raise HTTPException(503, str(exc), headers={"Retry-After": "30"}) from exc
    except PipelineUnavailable as exc:
        raise HTTPException(503, str(exc)) from exc
    except Exception as exc:  # noqa: BLE001 - reported to the client
        raise HTTPException(422, f"analysis failed: {exc}") from exc


def check_text(text: str, settings: Settings) -> None:
    if not text.strip():
        raise HTTPException(422, "the text is empty")
    if len(text) > settings.max_text_chars:
        raise HTTPException(413, f"text of {len(text):,} characters exceeds the limit of {settings.max_text_chars:,}")


def upload_options(settings: Settings) -> IngestOptions:
    return IngestOptions(max_chars=settings.max_text_chars, max_html_bytes=settings.max_html_bytes,
                         max_html_elements=settings.max_html_elements)


def upload_metadata(outlet: str = "", day: str = "", url: str = "", author: str = "") -> RunMetadata:
    """The outlet, date (``YYYY-MM-DD``), URL and author given with an upload, as run-wide defaults like the CLI's
    ``--outlet``/``--date`` (a document's own values win; see :mod:`narrascope.ingest.metadata`); a bad value is a
    422 whose message starts with the field's name."""
    outlet, day, url, author = outlet.strip(), day.strip(), url.strip(), author.strip()
    if len(outlet) > MAX_OUTLET_CHARS:
        raise HTTPException(422, f"outlet: a name of {len(outlet):,} characters is longer than the "
                                 f"{MAX_OUTLET_CHARS} the store holds")
    try:
        published = date.fromisoformat(day) if _ISO_DAY.match(day) else None
    except ValueError:
        published = None
    if day and published is None:
        raise HTTPException(422, f"date: {day[:40]!r} is not a date (YYYY-MM-DD)")
    return RunMetadata(outlet=outlet or None, published=published, url=url or None, author=author or None)


async def read_upload(upload: UploadFile, settings: Settings) -> tuple[str, bytes]:
    """The name and bytes of an uploaded file; 413 when it is over the size limit (for HTML, the HTML limit)."""
    name = upload.filename or "upload.txt"
    data = await upload.read(settings.max_upload_bytes + 1)
    if len(data) > settings.max_upload_bytes:
        raise HTTPException(413, f"file {name!r} exceeds the limit of {settings.max_upload_bytes:,} bytes")
    if name.lower().endswith((".html", ".htm")) and len(data) > settings.max_html_bytes:
        raise HTTPException(413, f"HTML file {name!r} exceeds the limit of {settings.max_html_bytes:,} bytes")
    return name, data


def dashboard_data(store: Store, flt: DocumentFilter, period: str = "month", stack: str = "narrative", *,
                   top_entities: int = 15) -> DashboardData:
    """All dashboard aggregates for one filter (narrative counts come from one pass, see ``label_breakdown``);
    ValueError for an unknown period or stack."""
    if period not in INTERVALS or stack not in STACKS:
        raise ValueError(f"period must be one of {', '.join(INTERVALS)}; stack one of {', '.join(STACKS)}")
    breakdown = label_breakdown(store, flt, layer=NARRATIVES, period=period, stack=stack)
    return DashboardData(
        documents=breakdown["documents"],
        undated=breakdown["undated"],
        period=period,  # type: ignore[arg-type]
        stack=stack,  # type: ignore[arg-type]
        possible=flt.possible,
        predicted=flt.predicted,
        reviewed=store.count_reviewed(flt),
        narratives=breakdown["labels"],
        periods=breakdown["periods"],
        over_time=breakdown["over_time"],
        outlets=breakdown["outlets"],
        by_outlet=breakdown["by_outlet"],
        languages=breakdown["languages"],
        by_language=breakdown["by_language"],
        cooccurrence=breakdown["pairs"],
        entities=cached(store, ("entity_roles", top_entities, dataclasses.astuple(flt)),
                        lambda: store.entity_roles(flt.entity, flt, limit=top_entities * 3)),
    )
